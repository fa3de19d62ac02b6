"""Fixed-width strftime formats (ISO-8601 and kin) by table look-up.

Each date part is rendered once per distinct day and each clock part once per second of the
day, then gathered for every row; `render_parts` hands those tables to a record's assemble
(datagen.pieces) without joining them into a column.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from datagen.columns import digits, from_matrix
from datagen.pieces import Gather
from datagen.timeformat import NUMERIC, Directive, Fields, Token

__all__ = ["fixed_width", "render_parts"]


def _plain(tokens: tuple[Token, ...]) -> bool:
    """ASCII literals and zero-padded numbers only (ISO-8601 and kin): fixed-width text."""
    return all(
        (isinstance(t, str) and t.isascii())
        or (
            isinstance(t, Directive)
            and t.letter in NUMERIC
            and NUMERIC[t.letter][2] == "0"
            and t.flags in ("", "0")
            and t.letter not in "uw"
        )
        for t in tokens
    )


def _width(tok: Token) -> int:
    return len(tok) if isinstance(tok, str) else NUMERIC[tok.letter][1]


def _matrix(tokens: tuple[Token, ...], f: Fields) -> np.ndarray | None:
    """The text of plain tokens as an (n, width) byte matrix; None if a number overflows."""
    out = np.empty((len(f.seconds), sum(_width(t) for t in tokens)), dtype=np.uint8)
    col = 0
    for tok in tokens:
        width = _width(tok)
        if isinstance(tok, str):
            out[:, col : col + width] = np.frombuffer(tok.encode(), np.uint8)
        else:
            values = f.get(NUMERIC[tok.letter][0])
            if values.min() < 0 or values.max() >= 10**width:
                return None
            out[:, col : col + width] = digits(values, width)
        col += width
    return out


_DAY = {"Y", "C", "y", "m", "d", "j"}
_CLOCK = {"H", "I", "M", "S"}
MAX_DAY_SPAN = 400_000


def _runs(tokens: tuple[Token, ...]) -> list[tuple[str, tuple[Token, ...]]]:
    """Consecutive tokens grouped by what they depend on: the day, the time of day, or the row."""
    runs: list[tuple[str, list[Token]]] = []
    for tok in tokens:
        kind = (
            ""
            if isinstance(tok, str)
            else "day"
            if tok.letter in _DAY
            else "clock"
            if tok.letter in _CLOCK
            else "row"
        )
        if runs and (not kind or runs[-1][0] in ("", kind)):
            runs[-1] = (runs[-1][0] or kind, [*runs[-1][1], tok])
        else:
            runs.append((kind, [tok]))
    return [(kind, tuple(toks)) for kind, toks in runs]


@lru_cache(maxsize=32)
def _clock_table(tokens: tuple[Token, ...]) -> np.ndarray | None:
    return _matrix(tokens, Fields(np.arange(86400, dtype=np.int64), None))


@lru_cache(maxsize=32)
def _clock_words(tokens: tuple[Token, ...]) -> pa.Array | None:
    table = _clock_table(tokens)
    return None if table is None else from_matrix(table)


def _days_matrix(tokens: tuple[Token, ...], day0: int, span: int) -> np.ndarray | None:
    return _matrix(tokens, Fields((day0 + np.arange(span, dtype=np.int64)) * 86400, None))


@lru_cache(maxsize=32)
def _day_table(tokens: tuple[Token, ...], day0: int, span: int) -> np.ndarray | None:
    """The day parts of a field's whole range, made once per process."""
    return _days_matrix(tokens, day0, span)


def _fixed_runs(
    tokens: tuple[Token, ...], f: Fields, days: tuple[int, int] | None = None
) -> list[tuple[np.ndarray, np.ndarray | None]] | None:
    """Fixed-width formats by table look-up: each date part is rendered once per distinct
    day (and each clock part once per second of the day), then gathered for every row.
    Each run is (table, row's line in it) or (the rows' own matrix, None). `days` is the
    (first, last) day of the table, by default the rows' own."""
    if not _plain(tokens):
        return None
    day0, end = days if days is not None else (int(f.days.min()), int(f.days.max()))
    span = end - day0 + 1
    runs: list[tuple[np.ndarray, np.ndarray | None]] = []
    for kind, toks in _runs(tokens):
        run: tuple[np.ndarray, np.ndarray | None] | None
        if kind == "day" and span <= MAX_DAY_SPAN:
            table = _day_table(toks, day0, span) if days else _days_matrix(toks, day0, span)
            run = None if table is None else (table, f.days - day0)
        elif kind == "clock":
            table = _clock_table(toks)
            run = None if table is None else (table, f.sod)
        else:
            part = _matrix(toks, f)
            run = None if part is None else (part, None)
        if run is None:
            return None
        runs.append(run)
    return runs


def fixed_width(tokens: tuple[Token, ...], f: Fields) -> pa.Array | None:
    runs = _fixed_runs(tokens, f)
    if runs is None:
        return None
    parts = [table if rows is None else table[rows] for table, rows in runs]
    return from_matrix(np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0])


@lru_cache(maxsize=32)
def _day_words(tokens: tuple[Token, ...], day0: int, span: int) -> pa.Array | None:
    table = _day_table(tokens, day0, span)
    return None if table is None else from_matrix(table)


def render_parts(
    tokens: tuple[Token, ...], seconds: np.ndarray, millis: np.ndarray | None = None,
    span: tuple[int, int] | None = None,
) -> tuple[Gather, ...] | None:  # fmt: skip
    """render()'s text as pieces (datagen.pieces) for fixed-width formats, gathered from day
    and clock tables made once per process; None for other formats. `span` is the (first,
    last) second any row can have (a field's range), so every chunk shares one day table."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return None
    f = Fields(seconds, millis)
    days = None if span is None else (span[0] // 86400, span[1] // 86400)
    if days is not None and not days[0] <= int(f.days.min()) <= int(f.days.max()) <= days[1]:
        days = None
    runs = _fixed_runs(tokens, f, days)
    if runs is None:
        return None
    parts = []
    for (kind, toks), (table, rows) in zip(_runs(tokens), runs, strict=True):
        words = None
        if kind == "clock":
            words = _clock_words(toks)
        elif kind == "day" and rows is not None and days is not None:
            words = _day_words(toks, days[0], days[1] - days[0] + 1)
        parts.append(Gather(from_matrix(table) if words is None else words, rows))
    return tuple(parts)
