"""Declared-field batches: blocks cover exactly a split's own lines under every layout, and
a block decodes to the row reader's values or to no batch at all (then the row path)."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mapreduce.engine.planner import plan_ranges, plan_splits
from mapreduce.errors import InputError
from mapreduce.formats import declared
from mapreduce.formats.batch_readers import batch_reader
from mapreduce.formats.declared import line_blocks
from mapreduce.formats.files import MAX_FILES, MAX_OFFSET, OFFSET_BITS
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import read_records
from tests.mapreduce.formats.layouts import BOM, write

FIELDS = {"id": int | str, "ts": str | int | float}
FLOATS = st.floats(-1e90, 1e90)  # a 3-digit exponent sends a block to the row path


def _lines_by_blocks(splits, size):
    found = []
    for split in splits:
        for offset, data in line_blocks(split, size):
            for line in data.splitlines(keepends=True):
                found.append((offset, line))
                offset += len(line)
    return found


def _lines_by_reader(file):
    [split] = plan_splits([file], file.size + 1)
    return [(pos, raw) for pos, _, raw in read_records(split, lambda *_: None)]


@pytest.mark.parametrize("bom", [b"", BOM])
@pytest.mark.parametrize("end", [b"\n", b"\r\n", b""])
def test_blocks_hold_each_line_once_under_every_layout(tmp_path, bom, end):
    lines = [b'{"id":%d,"ts":"%s"}' % (i, b"x" * (i % 5)) for i in range(9)]
    data = bom + b"\n".join(lines).replace(b"\n", b"\r\n" if end == b"\r\n" else b"\n") + end
    [file] = list_inputs([write(tmp_path, "in.jsonl", data)])
    want = _lines_by_reader(file)
    for size in (1, 5, 40, 1 << 20):
        for cut in range(1, file.size):
            assert _lines_by_blocks(plan_ranges(file, [cut]), size) == want, (size, cut)
        assert _lines_by_blocks(plan_splits([file], 7), size) == want


def test_a_line_longer_than_the_window_ends_its_block_at_its_own_line_break(tmp_path):
    lines = [b'{"id":1}', b'{"id":2,"ts":"%s"}' % (b"y" * 200_000), b'{"id":3}', b"{}"]
    [file] = list_inputs([write(tmp_path, "in.jsonl", b"\n".join(lines) + b"\n")])
    want = _lines_by_reader(file)
    for size in (1, 100, 70_000, 1 << 20):
        assert _lines_by_blocks(plan_splits([file], file.size + 1), size) == want, size
        assert _lines_by_blocks(plan_ranges(file, [5, 100_000, file.size - 3]), size) == want


def test_a_file_that_shrinks_while_it_is_read_is_one_clear_error(tmp_path):
    path = write(tmp_path, "in.jsonl", b'{"id":1}\n' * 10_000)
    [file] = list_inputs([path])
    [split] = plan_splits([file], file.size + 1)
    blocks = line_blocks(split, 1000)
    next(blocks)
    with open(path, "r+b") as handle:
        handle.truncate(5000)
    with pytest.raises(InputError, match=r"in\.jsonl byte \d+: the file shrank while it was read"):
        list(blocks)


def _batch(tmp_path, data, fields=FIELDS):
    [file] = list_inputs([write(tmp_path, "in.jsonl", data)])
    [split] = plan_splits([file], file.size + 1)
    [(offset, block)] = list(line_blocks(split))
    reader = batch_reader(split, fields)
    assert reader is not None
    return reader(split, offset, block)


def test_a_block_decodes_to_the_declared_columns_and_positions(tmp_path):
    data = b'{"id":1,"x":[1,{"y":2}],"ts":"a"}\n{"ts":2.5,"id":"k"}\r\n{"id":-3,"ts":7}'
    batch = _batch(tmp_path, data)
    assert batch["id"] == [1, "k", -3]
    assert batch["ts"] == ["a", 2.5, 7]
    assert batch.positions.tolist() == [0, 34, 55]
    assert batch.lengths.tolist() == [34, 21, 16]
    assert batch.keys("id") is None  # mixed key types: the row path canonicalises them


@pytest.mark.parametrize(
    "line",
    [
        b'{"id":1,"ts":"a","x":"\xff"}',  # invalid UTF-8 in a skipped value
        b'{"id":1,"ts":"a","x":"\xed\xa0\x80"}',  # an encoded surrogate
        b'{"id":1,"ts":"a","x":1e400}',  # a float beyond range in a skipped value
        b'{"id":1,"ts":"a","x":-2.5E+400}',  # the same, signed and spelled otherwise
        b'{"id":1,"ts":"a","x":' + b"9" * 400 + b"}",  # an int of hundreds of digits
        b'{"id":1,"ts":"a"}{"id":2,"ts":"b"}',  # two values on one line
        b'{"id":1,"ts":"a","x":[1,',  # a value across lines ...
        b"2]}",
        b"",  # a blank line
        b'  {"id":1,"ts":"a"}',  # leading white space
        b'{"id":true,"ts":"a"}',  # a key type the declared struct refuses
        b'{"id":1}',  # a missing field
        b'{"id":1,"ts":"a","x":' + b"[" * 2000 + b"]" * 2000 + b"}",  # deep nesting
    ],
)
def test_blocks_the_row_reader_may_read_differently_give_no_batch(tmp_path, line):
    good = b'{"id":1,"ts":"2024-01-01T00:00:00Z"}\n'
    assert _batch(tmp_path, good + line + b"\n" + good) is None


@pytest.mark.parametrize(
    "value", [b"1e+16", b"1E-400", b"2.5e99", b"9" * 199, b'"+1 555 0100, e.g."']
)
def test_numbers_every_reader_takes_keep_the_batch(tmp_path, value):
    line = b'{"id":1,"ts":"2024-01-01T00:00:00Z","x":' + value + b"}\n"
    assert _batch(tmp_path, line + line) is not None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.one_of(st.integers(-(2**63), 2**63 - 1), st.text(max_size=5)),
                "ts": st.one_of(st.text(max_size=8), st.integers(-(2**60), 2**60), FLOATS),
                "other": st.one_of(st.none(), st.booleans(), st.text(max_size=5), FLOATS),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
@example([{"id": 0, "ts": "0E000", "other": None}])  # text the overflow check refuses
def test_decoded_columns_are_the_row_readers_values(tmp_path_factory, records):
    tmp_path = tmp_path_factory.mktemp("decl")
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    batch = _batch(tmp_path, data)
    [file] = list_inputs([str(tmp_path / "in.jsonl")])
    rows = [value for _, value, _ in read_records(plan_splits([file], file.size + 1)[0], print)]
    if not declared._readable_as_orjson(data):  # e.g. the text "0E000": the check is
        assert batch is None  # conservative, and such a block takes the row path
        return
    assert batch is not None
    assert batch["id"] == [row["id"] for row in rows]
    assert [repr(v) for v in batch["ts"]] == [repr(row["ts"]) for row in rows]


# What the overflow check refuses: a 3-digit exponent after a digit, or 200 digits in a row.
_REFUSED = re.compile(rb"[0-9][eE]\+?[0-9]{3}|[0-9]{200}")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([b"0", b"9", b"e", b"E", b"+", b"-", b" ", b'"', b"000", b"1e+400"]),
            st.integers(150, 260).map(lambda n: b"7" * n),
        ),
        max_size=30,
    ).map(b"".join),
    st.integers(0, 15),
)
def test_the_overflow_check_refuses_exactly_the_pattern(body, pad):
    data = b"x" * pad + body  # every alignment of the 8-byte words
    assert declared._readable_as_orjson(data) == (_REFUSED.search(data) is None)


@pytest.mark.parametrize("shift", [-300, -205, -201, -6, -5, -3, -1, 0, 1, 2, 3, 6, 300])
@pytest.mark.parametrize("pattern", [b"1e400", b"2E+309", b"9" * 200, b"9" * 199])
def test_the_overflow_check_sees_a_number_across_a_slice_boundary(pattern, shift):
    at = declared._SLICE + shift  # the pattern starts here, in a block of three slices
    data = b"x" * at + pattern + b"x" * (3 * declared._SLICE - at)
    assert declared._readable_as_orjson(data) == (_REFUSED.search(data) is None)


def test_the_overflow_check_reuses_its_buffers_across_block_sizes():
    scratch = declared._Scratch()
    assert not declared._readable_as_orjson(b"a" * 100 + b"1e400", scratch)
    assert declared._readable_as_orjson(b"1e40 and 7e", scratch)  # smaller: old bytes ignored
    assert not declared._readable_as_orjson(b"9E+123", scratch)
    assert declared._readable_as_orjson(b"", scratch)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"\n", b"e", b"0", b"x"]), max_size=40).map(b"".join),
    st.sampled_from([b"\n\n", b"e000", b"0e0e"]),
)
def test_word_offsets_are_every_occurrence_overlaps_included(data, word):
    naive = [i for i in range(len(data) - len(word) + 1) if data[i : i + len(word)] == word]
    assert declared.word_offsets(data, word).tolist() == naive


def test_positions_fit_int64_past_32768_files(tmp_path):
    """Positions were file index << 48: the 32,769th input file's overflowed int64 and
    failed every fast-path task reading it. The joined batch of packed files numbers each
    record by its own file."""
    data = b'{"id": 1, "ts": 2}\n' * 3
    paths = [write(tmp_path, "u.jsonl", data), write(tmp_path, "u.txt", data)]
    far = (1 << OFFSET_BITS) * 8_000_000
    for file in list_inputs(paths):
        [split] = plan_splits([dataclasses.replace(file, index=40_000)], file.size + 1)
        reader = batch_reader(split, FIELDS)
        assert reader is not None
        [(offset, block)] = list(reader.blocks(split))
        batch = reader(split, offset, block)
        assert batch is not None
        assert batch.positions.tolist() == [(40_000 << OFFSET_BITS) + p for p in (0, 19, 38)]
        batch.files = (np.array([0, 19]), np.array([7 << OFFSET_BITS, far]))
        assert batch.positions.tolist() == [7 << OFFSET_BITS, far, far + 19]
    assert (MAX_FILES - 1) << OFFSET_BITS | (MAX_OFFSET - 1) == 2**63 - 1


def test_a_batch_without_the_column_has_no_keys_or_instants():
    """A block of text lines has no columns: a job's map_batch asking one for keys raised
    KeyError, and the run blamed the job; now the block goes through map()."""
    lines = declared.Batch("text", b"hello\nworld\n", 0, 2)
    assert lines.keys("id") is None
    assert lines.instants("updated_at") is None
