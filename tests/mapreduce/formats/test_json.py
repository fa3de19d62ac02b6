"""JSON arrays: element boundaries under every split layout, malformed arrays, gzip."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.engine.planner import plan_ranges, plan_splits
from mapreduce.formats.jsonscan import ESCAPED, INSIDE, OUTSIDE
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from tests.mapreduce.formats.layouts import (
    BOM,
    assert_all_layouts,
    read_splits,
    write,
)
from tests.mapreduce.formats.test_ndjson import TRUNCATED, invalid_json, json_values

VALUES: list[Any] = [
    {"id": 1, "s": 'brackets ] } [ { and, commas "quoted" \\ backslash \\" quote'},
    {"deep": [[[[[[[{"x": [1, {"y": []}]}]]]]]]], "e": "é€😀\u2028"},
    "a string with \\\\ and \\",
    -1.5e3,
    None,
    True,
    [],
    {},
    {"ends with backslash": "\\\\"},
]


def oracle(data: bytes) -> list[tuple[int, Any]]:
    """(byte offset, value) of each element, found by json.JSONDecoder.raw_decode."""
    offset = 3 if data.startswith(BOM) else 0
    text = data[offset:].decode()
    decoder, elements = json.JSONDecoder(), []

    def skip(i: int) -> int:
        while text[i] in " \t\r\n":
            i += 1
        return i

    i = skip(skip(0) + 1)  # past '['
    while text[i] != "]":
        value, end = decoder.raw_decode(text, i)
        elements.append((offset + len(text[:i].encode()), value))
        i = skip(end)
        i = skip(i + 1) if text[i] == "," else i
    return elements


@pytest.mark.parametrize("indent", [None, 2, "\t"], ids=["compact", "pretty", "tabs"])
def test_every_boundary_of_a_tricky_array(tmp_path, indent):
    data = json.dumps(VALUES, indent=indent, ensure_ascii=False).encode()
    expected = oracle(data)
    assert [value for _, value in expected] == VALUES
    assert_all_layouts(write(tmp_path, "tricky.json", data), expected)


def test_mockaroo_layout_with_crlf_and_bom(tmp_path):
    lines = [json.dumps({"id": i, "name": f"n{i}", "tags": ["a", "b"]}).encode() for i in range(5)]
    data = BOM + b"[" + b",\r\n".join(lines) + b"]\r\n"
    assert_all_layouts(write(tmp_path, "mock.json", data), oracle(data))


def test_empty_array_gives_no_records_and_no_reports(tmp_path):
    assert_all_layouts(write(tmp_path, "empty.json", b" [ \n ] \n"), [])


SECOND_ARRAY = "a second JSON array starts on the line the first ends on; start it on a new line"


@pytest.mark.parametrize(
    ("data", "records", "bad"),
    [
        (
            b'[1, {"a": oops}, 3]',
            [(1, 1), (17, 3)],
            [(4, invalid_json(b'{"a": oops}', 7))],
        ),
        (b"[1, , 2]", [(1, 1), (6, 2)], [(4, "invalid JSON array: empty element before ','")]),
        (b"[1, 2, ]", [(1, 1), (4, 2)], [(7, "invalid JSON array: trailing ',' before ']'")]),
        (
            b"[1, 2] trailing",
            [(1, 1), (4, 2)],
            [(7, "unexpected data after the end of the JSON array")],
        ),
        (
            b"[1] [2]",
            [(1, 1), (5, 2)],
            [(4, SECOND_ARRAY)],
        ),
        (b"[1]\n[2]\n  [3]", [(1, 1), (5, 2), (11, 3)], []),
        (
            b'[1, {"a": [2',
            [(1, 1)],
            [
                (4, TRUNCATED),
                (12, "invalid JSON array: the file ends before the closing ']'"),
            ],
        ),
        (b'{"a": 1}', [], [(0, "not a JSON array: expected '[' but found '{'")]),
        (b'[1, "\xff"]', [(1, 1)], [(4, "invalid UTF-8 in a JSON value")]),
    ],
    ids=[
        "bad-value",
        "empty",
        "trailing-comma",
        "junk",
        "two-arrays-one-line",
        "arrays-on-their-own-lines",
        "unclosed",
        "object",
        "utf8",
    ],
)
def test_malformed_arrays_are_reported_once_in_any_layout(tmp_path, data, records, bad):
    assert_all_layouts(write(tmp_path, "bad.json", data), records, bad, input_format="json")


def test_reported_positions_name_the_line(tmp_path):
    data = b'[\n  {"a": 1},\n  {"a": nope},\n  {"a": 3}\n]\n'
    path = write(tmp_path, "lines.json", data)
    file = assert_all_layouts(
        path,
        [(4, {"a": 1}), (31, {"a": 3})],
        [(16, invalid_json(b'{"a": nope}', 11))],  # msgspec reads "nope" as a bad null
    )
    assert describe_position(file, 16) == "line 3"


def test_deep_and_long_elements_take_the_slow_paths(tmp_path):
    deep: Any = "leaf"
    for _ in range(40):
        deep = {"k": [deep, "]}"]}
    values = [deep, "x" * 3_000_000, {"after": 1}]
    data = json.dumps(values).encode()
    [file] = list_inputs([write(tmp_path, "deep.json", data)])
    for size in (len(data), 1 << 20, 777_777):
        assert [v for _, v in read_splits(plan_splits([file], size))[0]] == values


def test_gzip_array_is_one_streamed_split(tmp_path):
    data = json.dumps(VALUES, indent=2).encode()
    path = tmp_path / "a.json.gz"
    path.write_bytes(gzip.compress(data))
    files = list_inputs([str(path)])
    assert files[0].format == "json"
    assert read_splits(plan_splits(files, 2)) == (oracle(data), [])


@st.composite
def json_arrays(draw: st.DrawFn) -> bytes:
    """Arrays of tricky values, compact or pretty, some with CRLF, a BOM or trailing space."""
    values = draw(st.lists(json_values, max_size=5))
    indent = draw(st.sampled_from([None, 0, 1, 2]))
    separators = draw(st.sampled_from([None, (",", ":"), (" , ", " : ")]))
    text = json.dumps(
        values, indent=indent, separators=separators, ensure_ascii=draw(st.booleans())
    )
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")  # newlines only ever occur as whitespace here
    data = text.encode() + draw(st.sampled_from([b"", b"\n", b" \r\n"]))
    return (BOM if draw(st.booleans()) else b"") + data


@settings(max_examples=40, deadline=None)
@given(data=json_arrays())
def test_any_split_layout_reads_what_the_json_module_reads(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("json"), "h.json", data)
    assert_all_layouts(path, oracle(data), sizes=(1, 5))


def test_split_state_is_resolved_by_the_counting_pass(tmp_path):
    data = b'["a[\\"", {"b": ["]"]}, 3]'
    [file] = list_inputs([write(tmp_path, "state.json", data)])
    splits = plan_ranges(file, [5, 6, 12, 17, 19])
    assert [(s.start, s.state, s.depth) for s in splits] == [
        (0, OUTSIDE, (0, 0)),
        (5, ESCAPED, (1, 0)),  # right after the backslash in "a[\""
        (6, INSIDE, (1, 0)),
        (12, INSIDE, (1, 1)),  # before the quote closing "b"
        (17, INSIDE, (2, 1)),  # inside "]"
        (19, OUTSIDE, (2, 1)),
    ]
    assert [value for _, value in read_splits(splits)[0]] == json.loads(data)
