"""datagen.pieces: rows assembled with one take equal the row-by-row concatenation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen import generate, pieces
from datagen.columns import Column
from datagen.pieces import Gather, Part, assemble
from tests.datagen.support import read_records

words = st.lists(st.text(max_size=6), min_size=1, max_size=40)
INDEX_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


def oracle(parts: list[Part], rows: int) -> list[str]:
    """Each row's text, made one row at a time in Python."""
    out = []
    for r in range(rows):
        text = ""
        for p in parts:
            if isinstance(p, str):
                text += p
            else:
                vals = p.words.to_pylist()
                text += vals[r] if p.indices is None else vals[int(p.indices[r])]
        out.append(text)
    return out


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[Part], int]:
    rows = draw(st.integers(0, 30))
    parts: list[Part] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["literal", "table", "column"]))
        if kind == "literal":
            parts.append(draw(st.text(max_size=4)))
        elif kind == "table":
            table = draw(words)
            indices = draw(st.lists(st.integers(0, len(table) - 1), min_size=rows, max_size=rows))
            # samplers hand over indices of any integer width; a part's place in the source
            # (past the words before it) need not fit that width
            dtype = draw(st.sampled_from(INDEX_DTYPES))
            parts.append(Gather(pa.array(table, pa.string()), np.array(indices, dtype)))
        else:
            column = draw(st.lists(st.text(max_size=5), min_size=rows, max_size=rows))
            parts.append(Gather(pa.array(column, pa.string())))
    return parts, rows


@settings(max_examples=200, deadline=None)
@given(layouts())
def test_assemble_is_the_row_by_row_concatenation(layout: tuple[list[Part], int]) -> None:
    parts, rows = layout
    got = assemble(parts, rows)
    assert got.to_pylist() == oracle(parts, rows)
    assert got.null_count == 0


@pytest.mark.parametrize("dtype", INDEX_DTYPES)
def test_narrow_indices_after_a_big_table(dtype: type) -> None:
    """A part's indices are offset by the words before it in the source (here 300, more
    than an int8 holds) whatever their own integer width."""
    big = Gather(pa.array([f"w{i}" for i in range(300)]), np.arange(5, dtype=np.int64) * 60)
    small = Gather(pa.array(["a", "b", "c"]), np.array([2, 0, 1, 1, 0], dtype))
    parts: list[Part] = [big, "-", small, Gather(pa.array(list("vwxyz")))]
    assert assemble(parts, 5).to_pylist() == oracle(parts, 5)


def test_rows_are_contiguous_bytes_end_to_end() -> None:
    table = pa.array(["a", "bb", "ccc"])
    got = assemble(["<", Gather(table, np.array([2, 0, 1])), ">\n"], 3)
    offsets = np.frombuffer(got.buffers()[1], np.int32, 4)
    assert got.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]] == b"<ccc>\n<a>\n<bb>\n"


def test_folded_and_paired_tables_give_the_same_text() -> None:
    """Literals folded into tables and neighbouring small tables paired into one: 3 parts
    become 1 and the text is the same."""
    a, b = pa.array(["x", "yy"]), pa.array(["1", "22", "333"])
    rng = np.random.default_rng(0)
    ia, ib = rng.integers(0, 2, 500), rng.integers(0, 3, 500)
    parts: list[Part] = ["{", Gather(a, ia), ":", Gather(b, ib), "}"]
    assert len(pieces._folded(parts, 500)) == 1
    assert assemble(parts, 500).to_pylist() == oracle(parts, 500)


def test_large_offsets_past_the_32_bit_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit the source is large_string; the text is the same."""
    monkeypatch.setattr(pieces, "_LARGE", 16)
    table = Gather(pa.array(["alpha", "beta"]), np.array([1, 0, 1]))
    parts: list[Part] = ["k=", table, ";", Gather(pa.array(["x", "", "z"]))]
    got = assemble(parts, 3)
    assert pa.types.is_large_string(got.type)
    assert got.to_pylist() == ["k=beta;x", "k=alpha;", "k=beta;z"]


def test_column_assembles_its_parts_only_when_asked() -> None:
    col = Column(parts=("a", Gather(pa.array(["x", "y"]), np.array([1, 0]))), rows=2)
    assert col.made is None
    assert col.values.to_pylist() == ["ay", "ax"]
    assert col.made is not None


def test_memoised_tables_stay_within_their_budget() -> None:
    """Tables made per chunk (a new array each time) cannot grow the memo without bound."""
    memo = pieces._Memo(budget=10_000)
    for i in range(200):
        table = pa.array([str(i) * 50] * 20)
        memo.put(("t",), (table,), table, table.nbytes)
        assert memo.bytes <= 10_000
    assert memo.get(("t",), (table,)) is table
    assert memo.get(("t",), (pa.array(["other"]),)) is None


def test_formulas_read_text_kept_as_pieces(tmp_path: Path) -> None:
    """Emails from names and timestamps stay pieces until a formula reads them."""
    out = tmp_path / "out.jsonl"
    schema = [
        {"name": "first", "type": "First Name"},
        {"name": "last", "type": "Last Name"},
        {"name": "email", "type": "Email Address"},
        {"name": "at", "type": "Datetime", "format": "%Y-%m-%dT%H:%M:%SZ"},
        {"name": "shout", "type": "Formula", "value": "upper(email)"},
        {"name": "year", "type": "Formula", "value": "year(at)"},
    ]
    generate(out, schema=schema, rows=3000, seed=2)
    rows = read_records(out)
    assert all(r["shout"] == r["email"].upper() for r in rows)
    assert all(r["year"] == int(r["at"][:4]) for r in rows)
    assert all(r["email"].startswith(r["first"].lower()[:1]) for r in rows)


def test_tables_are_made_once_not_per_chunk(tmp_path: Path, small_chunks: int) -> None:
    """A pool's dictionary comes in a new wrapper every chunk; its folds, pairs and the
    record's source must still be made once (else memory grows with the rows)."""
    out = tmp_path / "out.jsonl"
    generate(out, preset="users", rows=20 * small_chunks, seed=1)
    tables, sources = len(pieces._TABLES.entries), len(pieces._SOURCES.entries)
    generate(out, preset="users", rows=60 * small_chunks, seed=1)
    assert (len(pieces._TABLES.entries), len(pieces._SOURCES.entries)) == (tables, sources)
