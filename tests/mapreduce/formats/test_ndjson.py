"""NDJSON: split boundaries at every byte, blank lines, bad records, gzip, and the writer."""

from __future__ import annotations

import gzip
import json
from typing import Any

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.engine.planner import plan_splits
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import open_writer
from tests.mapreduce.formats.layouts import (
    BOM,
    assert_all_layouts,
    read_splits,
    write,
)

TRUNCATED = "invalid JSON: the value ends before it is complete"


def invalid_json(value: bytes, column: int) -> str:
    """The reason reported for a value the decoder rejects at `column`; msgspec's own
    wording is asked for, as it may change between versions."""
    try:
        msgspec.json.decode(value)
    except msgspec.DecodeError as exc:
        what = str(exc).removeprefix("JSON is malformed: ").split(" (byte ")[0]
        return f"invalid JSON: {what} at column {column}"
    raise AssertionError(f"msgspec accepts {value!r}")


TRICKY = (
    b'{"id": 1, "s": "a\\nb \\"q\\" [x] {y},"}\r\n'
    b"\n"
    b"   \n"
    b'{"nested": {"list": [1, [2, {"k": "\\\\"}]], "e": "\xc3\xa9\xe2\x82\xac"}}\n'
    b"\r\n"
    b'"just a string"\n'
    b"[1, 2, 3]\n"
    b"42"
)


def oracle(data: bytes) -> list[tuple[int, Any]]:
    """(line start, json.loads(line)) for each non-blank line, by the json module."""
    records, pos = [], 0
    for line in data.split(b"\n"):
        text = line[3:] if pos == 0 and line.startswith(BOM) else line
        if text.strip():
            records.append((pos + len(line) - len(text), json.loads(text)))
        pos += len(line) + 1
    return records


def test_every_boundary_of_a_tricky_file(tmp_path):
    path = write(tmp_path, "tricky.ndjson", TRICKY)
    expected = oracle(TRICKY)
    assert [record for _, record in expected][-2:] == [[1, 2, 3], 42]
    assert_all_layouts(path, expected)


def test_bom_is_skipped_and_the_first_record_starts_after_it(tmp_path):
    data = BOM + b'{"a": 1}\n{"a": 2}\n'
    assert_all_layouts(write(tmp_path, "bom.jsonl", data), [(3, {"a": 1}), (12, {"a": 2})])


def test_bad_records_are_reported_with_position_and_reason_and_skipped(tmp_path):
    data = b'{"a": 1}\n{"a": oops}\n\xff\xfe\n{"a": 4}\n'
    path = write(tmp_path, "bad.ndjson", data)
    bad = [
        (9, invalid_json(b'{"a": oops}', 7)),
        (21, "invalid UTF-8 in a JSON value"),
    ]
    file = assert_all_layouts(path, [(0, {"a": 1}), (24, {"a": 4})], bad)
    assert [describe_position(file, pos) for pos, _ in bad] == ["line 2", "line 3"]


def test_an_on_bad_that_raises_stops_the_reader(tmp_path):
    path = write(tmp_path, "bad.ndjson", b'{"a": 1}\nnope\n{"a": 3}\n')
    [split] = plan_splits(list_inputs([path]), 1 << 20)

    def on_bad(pos: int, reason: str) -> None:
        raise ValueError(f"{pos}: {reason}")

    from mapreduce.formats.registry import read_split

    records = read_split(split, on_bad)
    assert next(records) == (0, {"a": 1})
    with pytest.raises(ValueError, match=r"^9: invalid JSON"):
        next(records)


def test_gzip_is_one_split_with_positions_in_the_decompressed_stream(tmp_path):
    path = tmp_path / "data.ndjson.gz"
    with gzip.open(path, "wb") as f:
        f.write(TRICKY)
    files = list_inputs([str(path)])
    assert files[0].compressed and files[0].format == "ndjson"
    splits = plan_splits(files, 1)
    assert [(s.start, s.end) for s in splits] == [(0, files[0].size)]
    assert read_splits(splits) == (oracle(TRICKY), [])
    assert describe_position(files[0], oracle(TRICKY)[2][0]) == "line 6"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(
        st.sampled_from('ab"\\[]{},:\n\r\t é€😀\u2028') | st.characters(exclude_categories=["Cs"]),
        max_size=8,
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def ndjson_files(draw: st.DrawFn) -> bytes:
    """Records as JSON lines, with blank lines, CRLF, a BOM and a missing last newline."""
    lines = []
    for value in draw(st.lists(json_values, min_size=1, max_size=6)):
        lines.append(json.dumps(value, ensure_ascii=draw(st.booleans())).encode())
        lines.extend(draw(st.lists(st.sampled_from([b"", b"  ", b"\r", b"\t"]), max_size=1)))
    end = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = end.join(lines) + draw(st.sampled_from([b"", end]))
    return (BOM if draw(st.booleans()) else b"") + data


@settings(max_examples=40, deadline=None)
@given(data=ndjson_files())
def test_any_split_layout_reads_what_the_json_module_reads(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("ndjson"), "h.ndjson", data)
    assert_all_layouts(path, oracle(data), sizes=(1, 5))


RECORDS: list[Any] = [
    {"b": 1, "a": [1, 2.5, None], "s": 'é\n"q"'},
    {1: "int key", "x": {"y": True}},
    "plain",
    [1, 2],
    {"n": np.int64(7), "arr": np.array([1, 2])},
]


def test_writer_round_trips_through_the_json_module_byte_identically(tmp_path):
    paths = []
    for name in ("one.ndjson", "two.ndjson"):
        writer = open_writer("ndjson", str(tmp_path / name))
        for record in RECORDS:
            writer.write(record)
        writer.close()
        paths.append(tmp_path / name)
    data = paths[0].read_bytes()
    assert data == paths[1].read_bytes()
    assert [json.loads(line) for line in data.splitlines()] == [
        {"b": 1, "a": [1, 2.5, None], "s": 'é\n"q"'},
        {"1": "int key", "x": {"y": True}},
        "plain",
        [1, 2],
        {"n": 7, "arr": [1, 2]},
    ]
    assert data.endswith(b"\n") and data.count(b"\n") == len(RECORDS)


def test_open_writer_rejects_an_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        open_writer("xml", str(tmp_path / "out.xml"))


def test_dumps_writes_sets_in_key_order_whatever_the_hash_seed():
    """A set's iteration order of strings changes with PYTHONHASHSEED: written as a list in
    the total order of keys, the bytes are the same in every process."""
    import subprocess
    import sys

    code = (
        "from mapreduce.formats.ndjson import dumps; "
        "print(dumps({'tags': {'pear', 'fig', 'apple', 3, None, 1.5}, 'f': frozenset({'b', 'a'})}))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], env={"PYTHONHASHSEED": seed}, capture_output=True,
            text=True, check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }  # fmt: skip
    assert outputs == {"""b'{"tags":[null,1.5,3,"apple","fig","pear"],"f":["a","b"]}\\n'\n"""}


def test_dumps_writes_decimals_exactly_and_names_what_json_cannot_hold():
    from decimal import Decimal

    from mapreduce.formats.ndjson import dumps

    assert dumps({"total": Decimal("0.10") + Decimal("0.20"), "n": (1, 2)}) == (
        b'{"total":0.30,"n":[1,2]}\n'
    )
    assert dumps([Decimal("-12345678901234567890.000000001")]) == (
        b"[-12345678901234567890.000000001]\n"
    )

    class Point:
        pass

    with pytest.raises(TypeError, match=r"^cannot write a Point as JSON; JSON holds dict"):
        dumps({"p": Point()})
    with pytest.raises(TypeError, match="non-finite"):
        dumps({"d": Decimal("NaN")})
