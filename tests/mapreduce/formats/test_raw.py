"""RawJSON: NDJSON records kept as the bytes they were read as, and written back unchanged."""

import csv

import pyarrow.parquet as pq

from mapreduce.engine.planner import plan_splits
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.raw import RawJSON
from mapreduce.formats.registry import open_writer, read_records, read_split


def test_ndjson_yields_each_record_with_its_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\n{"b":  [2]}\n{"c":3}')
    (file,) = list_inputs([str(path)])
    for split in plan_splits([file], 5):
        pairs = list(read_split(split, print))
        triples = list(read_records(split, print))
        assert [(p, r) for p, r, _ in triples] == pairs
        for position, _, raw in triples:
            assert path.read_bytes()[position:].startswith(raw)
    (whole,) = plan_splits([file], 1 << 20)
    assert [raw for _, _, raw in read_records(whole, print)] == [
        b'{"a": 1}\r\n',
        b'{"b":  [2]}\n',
        b'{"c":3}',
    ]


def test_other_formats_have_no_raw_bytes(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("x\ny\n")
    (file,) = list_inputs([str(path)])
    (split,) = plan_splits([file], 100)
    assert list(read_records(split, print)) == [(0, "x", None), (2, "y", None)]


def test_writers_take_raw_records(tmp_path):
    raws = [RawJSON(b'{"id": 1, "name": "a"}\r\n'), RawJSON(b'{"id":2,"name":"b"}')]
    ndjson = tmp_path / "out.jsonl"
    writer = open_writer("ndjson", str(ndjson))
    for raw in raws:
        writer.write(raw)
    writer.close()
    assert ndjson.read_bytes() == b'{"id": 1, "name": "a"}\n{"id":2,"name":"b"}\n'
    for fmt in ("csv", "parquet"):
        path = tmp_path / f"out.{fmt}"
        writer = open_writer(fmt, str(path))
        for raw in raws:
            writer.write(raw)
        writer.close()
        if fmt == "csv":
            with open(path, newline="") as handle:
                rows = list(csv.DictReader(handle))
            assert rows == [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}]
        else:
            assert pq.read_table(path).to_pylist() == [
                {"id": 1, "name": "a"},
                {"id": 2, "name": "b"},
            ]
