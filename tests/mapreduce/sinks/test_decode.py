"""Part files decoded through Structs give exactly what decoding every line as a dict gives."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.sinks.columns import merge_columns
from mapreduce.sinks.decode import read_decoded
from mapreduce.sinks.records import infer_columns
from mapreduce.sinks.spec import SinkError

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "é"]), st.integers(0, 3), max_size=1),
)
_RECORD = st.dictionaries(
    st.sampled_from(["id", "name", "n", "x y", "first-name"]), _VALUES, min_size=1, max_size=5
)


def _oracle(lines: list[bytes], size: int) -> list[tuple[list[str], list[list[Any]]]]:
    """Each batch's names (first appearance) and columns, from one dict per line."""
    batches = []
    for start in range(0, len(lines), size):
        records = [msgspec.json.decode(line) for line in lines[start : start + size]]
        names = list(dict.fromkeys(chain.from_iterable(records)))
        batches.append((names, [[r.get(n) for r in records] for n in names]))
    return batches


def _same(a: list[Any], b: list[Any]) -> bool:
    """Equal values of equal types (True is not 1, 1.0 is not 1)."""
    return len(a) == len(b) and all(
        type(x) is type(y) and x == y for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(_RECORD, min_size=1, max_size=30), st.integers(1, 7), st.booleans())
def test_structs_give_what_dicts_give(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], size: int, shared: bool
) -> None:
    if shared:  # most part files: every record has the same fields
        records = [{"id": i, **{k: r.get(k) for k in ("name", "n")}} for i, r in enumerate(records)]
    lines = [msgspec.json.encode(r) + b"\n" for r in records]
    path = tmp_path_factory.mktemp("decode") / "part-00000.jsonl"
    path.write_bytes(b"".join(lines))
    found = list(read_decoded(str(path), size, "sqlite"))
    expected = _oracle(lines, size)
    assert len(found) == len(expected)
    seen: list[tuple[tuple[str, str], ...]] = []
    for batch, (names, columns) in zip(found, expected, strict=True):
        assert sorted(batch.names) == sorted(names)
        assert all(_same(list(batch.column(n)), c) for n, c in zip(names, columns, strict=True))
        # a Struct keeps its fields' order and a typed field its type (in a batch of nulls
        # only): the columns merged so far (a partition's, in first-appearance order) agree
        seen.append(infer_columns(names, columns))
        assert merge_columns(b.types for b in found[: len(seen)]) == merge_columns(seen)
        rows = [list(r) for r in zip(*map(batch.column, batch.names), strict=True)]
        assert [list(row) for row in batch.rows({})] == rows


def test_a_line_holding_two_records_is_refused_by_number(tmp_path: Path) -> None:
    # the batch is decoded as one JSON array of its lines joined by commas, where a line
    # `{..},{..}` would read as two records: the count tells, and the line is named
    lines = [b'{"id": 1}\n', b'{"id": 2}\n', b'{"id": 3},{"id": 4}\n', b'{"id": 5}\n']
    path = tmp_path / "part-00000.jsonl"
    path.write_bytes(b"".join(lines))
    with pytest.raises(SinkError, match="line 3: invalid JSON"):
        list(read_decoded(str(path), 10, "sqlite"))


def test_a_record_that_is_not_an_object_is_refused_by_number(tmp_path: Path) -> None:
    path = tmp_path / "part-00000.jsonl"
    path.write_bytes(b'{"id": 1}\n{"id": 2}\n[3]\n')
    with pytest.raises(SinkError, match="line 3: a record must be a JSON object"):
        list(read_decoded(str(path), 10, "sqlite"))
