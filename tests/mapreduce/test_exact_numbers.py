"""Numbers are exact end to end: ints of any size through parse, spill, merge and output.

Issue 8, defect 2: orjson reads ints beyond 64 bits as floats, so the ids
18446744073709551617 and 18446744073709551618 came out as one record; sum_numbers could
not write a total beyond 64 bits, and summed JSON 2**64 + 1 to 1.8446744073709552e+19.
"""

from __future__ import annotations

import json

import orjson

from mapreduce.cli import main
from mapreduce.engine.planner import plan_splits
from mapreduce.exactsum import add, total
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.ndjson import NdjsonWriter
from mapreduce.worker.spill import read_section, write_spill
from tests.mapreduce.formats.layouts import read_splits

BIG = 2**64 + 1  # 18446744073709551617


def parts(out):
    files = sorted(out.glob("part-*"))
    return [json.loads(line) for path in files for line in path.read_text().splitlines()]


def cli(tmp_path, *args):
    return main([*args, "--state-dir", str(tmp_path / "state"), "--quiet"])


def test_readers_keep_ints_beyond_64_bits(tmp_path):
    records = [{"id": BIG, "n": -(10**30)}, {"id": BIG + 1, "n": 10**100}]
    ndjson = tmp_path / "big.jsonl"
    ndjson.write_text("".join(json.dumps(r) + "\n" for r in records))
    array = tmp_path / "big.json"
    array.write_text(json.dumps(records, indent=2))
    for path in (ndjson, array):
        values = [v for _, v in read_splits(plan_splits(list_inputs([str(path)]), 1 << 20))[0]]
        assert values == records
        assert all(type(v["id"]) is int and type(v["n"]) is int for v in values)


def test_the_ndjson_writer_writes_ints_beyond_64_bits_digit_for_digit(tmp_path):
    path = tmp_path / "part.jsonl"
    writer = NdjsonWriter(str(path))
    records = [{"sum": BIG, "list": [2**200, 1.5]}, {"n": 1, "s": "x"}, {3: 2**65}]
    for record in records:
        writer.write(record)
    writer.close()
    lines = path.read_bytes().splitlines(keepends=True)
    assert [json.loads(line) for line in lines] == [records[0], records[1], {"3": 2**65}]
    assert lines[1] == orjson.dumps(records[1]) + b"\n"  # ordinary records: orjson's bytes


def test_spills_keep_big_int_keys_and_values(tmp_path):
    pairs = [(BIG, 2**100), (BIG + 1, -(2**70)), ((BIG, "a"), [10**40])]
    spill = write_spill(str(tmp_path / "s.spill"), [pairs])
    assert list(read_section(spill.path, 0)) == pairs


def test_an_int_total_plus_floats_is_rounded_once():
    # 2**53 + 1 + 0.5 is nearest to 2**53 + 2; rounding the int to a float first gives 2**53
    assert total(add((), 0.5), 2**53 + 1) == 2.0**53 + 2


def test_big_ids_stay_apart_end_to_end(tmp_path):
    data = tmp_path / "users.jsonl"
    data.write_text(
        f'{{"id": {BIG}, "updated_at": 1}}\n{{"id": {BIG + 1}, "updated_at": 2}}\n'
        f'{{"id": {BIG}, "updated_at": 3}}\n'
    )
    out = tmp_path / "out"
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(out)) == 0
    got = sorted(parts(out), key=lambda r: r["id"])
    assert got == [{"id": BIG, "updated_at": 3}, {"id": BIG + 1, "updated_at": 2}]


def test_sum_numbers_is_exact_for_ints_of_any_size(tmp_path):
    text = tmp_path / "numbers.txt"
    text.write_text("18446744073709551615\n18446744073709551617\n-1\n")
    jsonl = tmp_path / "numbers.jsonl"
    jsonl.write_text(f'{{"value": {BIG}}}\n{{"value": {10**30}}}\n')
    cases = [(text, {"count": 3, "sum": 2 * 2**64 - 1}), (jsonl, {"count": 2, "sum": BIG + 10**30})]
    for i, (path, expected) in enumerate(cases):
        out = tmp_path / f"out{i}"
        assert cli(tmp_path, "run", "sum_numbers", str(path), "-o", str(out)) == 0
        assert parts(out) == [expected]


def test_the_later_instant_wins_to_the_nanosecond_end_to_end(tmp_path):
    # Issue 8, defect 3: digits past microseconds were dropped (a tie, so the later line
    # won), and at year 9999 a float could not tell .999999 from .999998.
    data = tmp_path / "versions.jsonl"
    data.write_text(
        '{"id": 1, "updated_at": "2024-03-01T12:00:00.1234569Z", "v": "right"}\n'
        '{"id": 1, "updated_at": "2024-03-01T12:00:00.1234561Z", "v": "wrong"}\n'
        '{"id": 2, "updated_at": "9999-12-31T23:59:59.999999Z", "v": "right"}\n'
        '{"id": 2, "updated_at": "9999-12-31T23:59:59.999998Z", "v": "wrong"}\n'
        '{"id": 3, "updated_at": "0001-01-01T00:00:00.000001Z", "v": "right"}\n'
        '{"id": 3, "updated_at": "0001-01-01T00:00:00.000000Z", "v": "wrong"}\n'
    )
    out = tmp_path / "out"
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(out)) == 0
    assert [r["v"] for r in sorted(parts(out), key=lambda r: r["id"])] == ["right"] * 3
