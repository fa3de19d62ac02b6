"""Ruby-style strftime over whole columns of timestamps (Mockaroo writes formats like %FT%T%:z).

`compile_format` parses a format once; `render` turns arrays of seconds into Arrow strings with
a handful of table look-ups per directive, so a million dates cost milliseconds, not a Python
`datetime.strftime` call each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import digits, from_matrix, join, number_table
from datagen.pieces import Gather

__all__ = ["Directive", "civil", "compile_format", "render", "render_parts"]

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

# Composite directives expand to plain ones before rendering.
_COMPOSITE = {
    "F": "%Y-%m-%d",
    "T": "%H:%M:%S",
    "D": "%m/%d/%y",
    "R": "%H:%M",
    "r": "%I:%M:%S %p",
    "c": "%a %b %e %H:%M:%S %Y",
    "x": "%m/%d/%y",
    "X": "%H:%M:%S",
    "v": "%e-%^b-%Y",
}
# directive -> (field, default width, default pad)
_NUMERIC = {
    "Y": ("year", 4, "0"),
    "C": ("century", 2, "0"),
    "y": ("yy", 2, "0"),
    "m": ("month", 2, "0"),
    "d": ("day", 2, "0"),
    "e": ("day", 2, " "),
    "j": ("yday", 3, "0"),
    "H": ("hour", 2, "0"),
    "k": ("hour", 2, " "),
    "I": ("hour12", 2, "0"),
    "l": ("hour12", 2, " "),
    "M": ("minute", 2, "0"),
    "S": ("second", 2, "0"),
    "L": ("milli", 3, "0"),
    "u": ("wday1", 1, "0"),
    "w": ("wday", 1, "0"),
}
_TEXT = {"B", "b", "h", "A", "a", "p", "P", "Z", "z", "s", "N", "n", "t", "%"}


@dataclass(frozen=True, slots=True)
class Directive:
    """One `%` conversion: its letter, flags (`-`, `_`, `0`, `^`, `#`) and `:` count (for %:z)."""

    letter: str
    flags: str = ""
    colons: int = 0


Token = str | Directive


def compile_format(fmt: str) -> tuple[Token, ...]:
    """Parse a strftime format; ValueError names the first directive it cannot render."""
    tokens: list[Token] = []
    i = 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            tokens.append(fmt[i:])
            break
        if j > i:
            tokens.append(fmt[i:j])
        k = j + 1
        while k < len(fmt) and fmt[k] in "-_0^#:":
            k += 1
        if k >= len(fmt):
            raise ValueError(f"format {fmt!r} ends with an incomplete directive")
        letter, flags = fmt[k], fmt[j + 1 : k]
        if letter in _COMPOSITE:
            tokens.extend(compile_format(_COMPOSITE[letter]))
        elif letter in _NUMERIC or letter in _TEXT:
            tokens.append(Directive(letter, flags.replace(":", ""), flags.count(":")))
        else:
            raise ValueError(f"format {fmt!r} uses %{letter}, which datagen cannot render")
        i = k + 1
    return tuple(tokens)


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01 (H. Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _days_before_year(year: np.ndarray) -> np.ndarray:
    y = year - 1
    era = y // 400
    yoe = y - era * 400
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + 306 - 719468


class _Fields:
    """Calendar fields of local seconds, computed lazily (only what a format uses)."""

    def __init__(self, seconds: np.ndarray, millis: np.ndarray | None) -> None:
        self.seconds = seconds
        self.days = seconds // 86400
        self.sod = seconds - self.days * 86400
        self.millis = millis if millis is not None else np.zeros_like(seconds)
        self._cache: dict[str, np.ndarray] = {}

    def get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def _compute(self, name: str) -> np.ndarray:
        if name in ("year", "month", "day"):
            year, month, day = civil(self.days)
            self._cache.update(year=year, month=month, day=day)
            return self._cache[name]
        derived = {
            "century": lambda: self.get("year") // 100,
            "yy": lambda: self.get("year") % 100,
            "yday": lambda: self.days - _days_before_year(self.get("year")) + 1,
            "hour": lambda: self.sod // 3600,
            "hour12": lambda: (self.sod // 3600 + 11) % 12 + 1,
            "minute": lambda: self.sod // 60 % 60,
            "second": lambda: self.sod % 60,
            "milli": lambda: self.millis,
            "wday": lambda: (self.days + 4) % 7,
            "wday1": lambda: (self.days + 3) % 7 + 1,
        }
        return derived[name]()


def _numeric(values: np.ndarray, width: int, pad: str, flags: str) -> pa.Array:
    if "-" in flags:
        width = 0
    elif "_" in flags:
        pad = " "
    elif "0" in flags:
        pad = "0"
    lo, hi = int(values.min()), int(values.max())
    if lo >= 0 and hi < 10000:
        if pad == "0" or width == 0:
            return number_table(hi + 1, width).take(values)
        table = pa.array([str(i).rjust(width, pad) for i in range(hi + 1)])
        return table.take(values)
    text = pa.array(values).cast(pa.string())
    return pc.utf8_lpad(text, width, pad) if width else text


def _offset_text(offset_minutes: np.ndarray | None, n: int, colons: int) -> pa.Array:
    offs = np.zeros(n, dtype=np.int64) if offset_minutes is None else offset_minutes
    sign = pc.if_else(pa.array(offs < 0), "-", "+")
    hours = number_table(100, 2).take(np.abs(offs) // 60)
    minutes = number_table(60, 2).take(np.abs(offs) % 60)
    return join(sign, hours, ":" if colons else "", minutes)


def _text(
    d: Directive,
    f: _Fields,
    epoch: np.ndarray,
    offset_minutes: np.ndarray | None,
    zone_names: pa.Array | None = None,
) -> Token:
    n = len(f.seconds)
    letter = d.letter
    if letter in "Bbh":
        names = MONTHS if letter == "B" else [m[:3] for m in MONTHS]
        return pa.array(names).take(f.get("month") - 1)
    if letter in "Aa":
        names = DAYS if letter == "A" else [w[:3] for w in DAYS]
        return pa.array(names).take(f.get("wday"))
    if letter in "pP":
        names = ["AM", "PM"] if letter == "p" else ["am", "pm"]
        return pa.array(names).take(f.get("hour") // 12)
    if letter == "z":
        return _offset_text(offset_minutes, n, d.colons)
    if letter == "Z":
        if zone_names is not None:
            return zone_names
        if offset_minutes is None or not offset_minutes.any():
            return "UTC"
        return _offset_text(offset_minutes, n, 1)
    if letter == "s":
        return pa.array(epoch).cast(pa.string())
    if letter == "N":
        return join(number_table(1000, 3).take(f.millis), "000000")
    return {"n": "\n", "t": "\t", "%": "%"}[letter]


def _plain(tokens: tuple[Token, ...]) -> bool:
    """ASCII literals and zero-padded numbers only (ISO-8601 and kin): fixed-width text."""
    return all(
        (isinstance(t, str) and t.isascii())
        or (
            isinstance(t, Directive)
            and t.letter in _NUMERIC
            and _NUMERIC[t.letter][2] == "0"
            and t.flags in ("", "0")
            and t.letter not in "uw"
        )
        for t in tokens
    )


def _width(tok: Token) -> int:
    return len(tok) if isinstance(tok, str) else _NUMERIC[tok.letter][1]


def _matrix(tokens: tuple[Token, ...], f: _Fields) -> np.ndarray | None:
    """The text of plain tokens as an (n, width) byte matrix; None if a number overflows."""
    out = np.empty((len(f.seconds), sum(_width(t) for t in tokens)), dtype=np.uint8)
    col = 0
    for tok in tokens:
        width = _width(tok)
        if isinstance(tok, str):
            out[:, col : col + width] = np.frombuffer(tok.encode(), np.uint8)
        else:
            values = f.get(_NUMERIC[tok.letter][0])
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
    return _matrix(tokens, _Fields(np.arange(86400, dtype=np.int64), None))


@lru_cache(maxsize=32)
def _clock_words(tokens: tuple[Token, ...]) -> pa.Array | None:
    table = _clock_table(tokens)
    return None if table is None else from_matrix(table)


def _days_matrix(tokens: tuple[Token, ...], day0: int, span: int) -> np.ndarray | None:
    return _matrix(tokens, _Fields((day0 + np.arange(span, dtype=np.int64)) * 86400, None))


@lru_cache(maxsize=32)
def _day_table(tokens: tuple[Token, ...], day0: int, span: int) -> np.ndarray | None:
    """The day parts of a field's whole range, made once per process."""
    return _days_matrix(tokens, day0, span)


def _fixed_runs(
    tokens: tuple[Token, ...], f: _Fields, days: tuple[int, int] | None = None
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


def _fixed_width(tokens: tuple[Token, ...], f: _Fields) -> pa.Array | None:
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
    f = _Fields(seconds, millis)
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


def render(
    tokens: tuple[Token, ...],
    seconds: np.ndarray,
    *,
    millis: np.ndarray | None = None,
    offset_minutes: np.ndarray | None = None,
    zone_names: pa.Array | None = None,
) -> pa.Array:
    """Format local wall-clock `seconds` (since 1970-01-01) with a compiled format.

    `offset_minutes` is the UTC offset each local time has (for %z, %:z, %Z, %s), and
    `zone_names` the time zone abbreviation %Z writes (EST, CEST ...; else the offset).
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return pa.array([], pa.string())
    f = _Fields(seconds, millis)
    fast = _fixed_width(tokens, f)
    if fast is not None:
        return fast
    epoch = seconds if offset_minutes is None else seconds - offset_minutes * 60
    parts: list[Token] = []
    for tok in tokens:
        if isinstance(tok, str):
            parts.append(tok)
            continue
        if tok.letter in _NUMERIC:
            name, width, pad = _NUMERIC[tok.letter]
            part: Token = _numeric(f.get(name), width, pad, tok.flags)
        else:
            part = _text(tok, f, epoch, offset_minutes, zone_names)
        if "^" in tok.flags and not isinstance(part, str):
            part = pc.utf8_upper(part)
        parts.append(part)
    if not any(not isinstance(p, str) for p in parts):
        return pa.array(["".join(str(p) for p in parts)] * len(seconds), pa.string())
    return join(*parts)
