"""Parquet: row groups as splits, row positions, and the writer's schema handling."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mapreduce.engine.api import run
from mapreduce.engine.planner import plan_splits
from mapreduce.engine.spec import RunSpec
from mapreduce.errors import InputError
from mapreduce.formats import parquet
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import open_writer, read_split
from mapreduce.timestamps import parse_instant
from tests.mapreduce.formats.layouts import read_splits

ROWS = [{"id": i, "name": f"n{i}", "score": i / 3, "tags": ["x"] * (i % 3)} for i in range(100)]


@pytest.fixture
def grouped(tmp_path):
    """A parquet file of 100 rows in row groups of 10."""
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path, row_group_size=10)
    return list_inputs([str(path)])


@pytest.mark.parametrize("split_size", [1, 500, 2_000, 10**9])
def test_every_plan_reads_each_row_once_with_its_row_index(grouped, split_size):
    splits = plan_splits(grouped, split_size)
    assert all(s.start < s.end for s in splits)
    assert [s.start for s in splits[1:]] == [s.end for s in splits[:-1]]
    assert (splits[0].start, splits[-1].end) == (0, 10)
    assert read_splits(splits) == (list(enumerate(pq.read_table(grouped[0].path).to_pylist())), [])


def test_row_groups_are_grouped_toward_the_split_size(grouped):
    assert len(plan_splits(grouped, 1)) == 10  # at least one row group per split
    assert len(plan_splits(grouped, 10**9)) == 1
    middle = plan_splits(grouped, 2_000)
    assert 1 < len(middle) < 10


def test_positions_are_described_as_rows(grouped):
    assert describe_position(grouped[0], 41) == "row 42"


def test_a_parquet_file_without_rows_gives_no_split(tmp_path):
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.int64())}), path)
    assert plan_splits(list_inputs([str(path)]), 1) == []


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"cannot read .*fake\.parquet as Parquet"):
        plan_splits(list_inputs([str(path)]), 1)


def test_an_unreadable_row_group_is_reported_and_skipped(grouped, monkeypatch):
    real = pq.ParquetFile.iter_batches

    def failing(self: Any, *args: Any, row_groups: list[int], **kwargs: Any) -> Any:
        if row_groups == [3]:
            raise OSError("corrupt page")
        return real(self, *args, row_groups=row_groups, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", failing)
    bad: list[tuple[int, str]] = []
    [split] = plan_splits(grouped, 10**9)
    rows = [pos for pos, _ in read_split(split, lambda pos, reason: bad.append((pos, reason)))]
    assert rows == [*range(30), *range(40, 100)]
    assert bad == [(30, "unreadable Parquet row group 3: corrupt page")]


def write_parquet(path: Any, records: list[Any]) -> bytes:
    writer = open_writer("parquet", str(path))
    for record in records:
        writer.write(record)
    writer.close()
    return path.read_bytes()


def test_writer_round_trips_through_pyarrow_byte_identically(tmp_path):
    records = [{"a": 1, "b": "x", "n": {"k": [1.5]}}, {"a": 2, "c": None}, "plain"]
    first = write_parquet(tmp_path / "1.parquet", records)
    assert first == write_parquet(tmp_path / "2.parquet", records)
    assert pq.read_table(tmp_path / "1.parquet").to_pylist() == [
        {"a": 1, "b": "x", "n": {"k": [1.5]}, "c": None, "value": None},
        {"a": 2, "b": None, "n": None, "c": None, "value": None},
        {"a": None, "b": None, "n": None, "c": None, "value": "plain"},
    ]


def test_writer_widens_types_across_batches_and_writes_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "BATCH_ROWS", 3)
    records = [{"x": None, "y": 1}] * 3 + [{"x": "now text", "y": 2.5}] * 3 + [{"z": True}]
    write_parquet(tmp_path / "w.parquet", records)
    table = pq.read_table(tmp_path / "w.parquet")
    assert table.schema.field("x").type == pa.string()
    assert table.schema.field("y").type == pa.float64()
    assert table.to_pylist()[3] == {"x": "now text", "y": 2.5, "z": None}
    assert pq.ParquetFile(tmp_path / "w.parquet").metadata.num_row_groups == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.parquet"]


@pytest.mark.parametrize("batch", [1000, 1], ids=["one-batch", "across-batches"])
def test_a_column_no_arrow_type_holds_is_stored_as_json_text(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(parquet, "BATCH_ROWS", batch)
    records = [
        {"mixed": 1, "flag": True, "big": 2**70},
        {"mixed": "one", "flag": 1, "big": 1},
        {"mixed": None, "flag": None, "big": None},
        {"mixed": {"a": [1.5]}, "flag": False, "big": 3},
    ]
    write_parquet(tmp_path / "mixed.parquet", records)
    table = pq.read_table(tmp_path / "mixed.parquet")
    assert table.schema == pa.schema([(name, pa.string()) for name in ("mixed", "flag", "big")])
    assert table.to_pylist() == [
        {"mixed": "1", "flag": "true", "big": str(2**70)},
        {"mixed": "one", "flag": "1", "big": "1"},
        {"mixed": None, "flag": None, "big": None},
        {"mixed": '{"a":[1.5]}', "flag": "false", "big": "3"},
    ]


def test_ints_a_double_cannot_hold_exactly_make_the_column_text(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "BATCH_ROWS", 1)
    write_parquet(tmp_path / "w.parquet", [{"n": 2**60 + 1}, {"n": 0.5}])
    assert pq.read_table(tmp_path / "w.parquet").column("n").to_pylist() == [
        str(2**60 + 1),
        "0.5",
    ]


def test_writer_with_no_records_writes_a_readable_empty_file(tmp_path):
    write_parquet(tmp_path / "none.parquet", [])
    table = pq.read_table(tmp_path / "none.parquet")
    assert (table.num_rows, table.schema) == (0, parquet.EMPTY_SCHEMA)


def write_parts(folder: Any, parts: list[list[Any]]) -> list[str]:
    paths = []
    for i, records in enumerate(parts):
        path = folder / f"part-{i:05d}.parquet"
        write_parquet(path, records)
        paths.append(str(path))
    return paths


def test_unify_parts_gives_every_part_one_schema_empty_parts_included(tmp_path):
    paths = write_parts(
        tmp_path,
        [
            [{"status": "a", "min": 1, "n": 7}],
            [{"status": "b", "min": 1.02, "extra": [1]}],
            [],
            [{"status": "c", "min": 3, "n": "text"}],
        ],
    )
    parquet.unify_parts(paths)
    schemas = {pq.read_schema(path).remove_metadata() for path in paths}
    assert schemas == {
        pa.schema(
            [
                ("status", pa.string()),
                ("min", pa.float64()),
                ("n", pa.string()),
                ("extra", pa.list_(pa.field("element", pa.int64()))),
            ]
        )
    }
    rows = [row for path in paths for row in pq.read_table(path).to_pylist()]
    assert rows == [
        {"status": "a", "min": 1.0, "n": "7", "extra": None},
        {"status": "b", "min": 1.02, "n": None, "extra": [1]},
        {"status": "c", "min": 3.0, "n": "text", "extra": None},
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [os.path.basename(p) for p in paths]
    before = [Path(path).read_bytes() for path in paths]
    parquet.unify_parts(paths)  # already one schema: nothing is rewritten
    assert [Path(path).read_bytes() for path in paths] == before


def test_unify_parts_of_an_output_without_records(tmp_path):
    paths = write_parts(tmp_path, [[], []])
    parquet.unify_parts(paths)
    assert {pq.read_schema(p).remove_metadata() for p in paths} == {parquet.EMPTY_SCHEMA}


def test_unify_parts_turns_ints_past_two_to_the_53_meeting_floats_into_text(tmp_path):
    paths = write_parts(tmp_path, [[{"n": 2**60 + 1}], [{"n": 0.5}]])
    parquet.unify_parts(paths)
    assert [pq.read_table(p).column("n").to_pylist() for p in paths] == [
        [str(2**60 + 1)],
        ["0.5"],
    ]


NANOS = 1_704_067_200_123_456_789  # 2024-01-01T00:00:00.123456789Z


@pytest.mark.parametrize(
    ("unit", "tz", "value", "instant"),
    [
        ("ns", "UTC", NANOS, NANOS),
        ("ns", None, NANOS, NANOS),
        ("us", "UTC", NANOS // 1000, NANOS // 1000 * 1000),
        ("us", None, NANOS // 1000, NANOS // 1000 * 1000),
        ("ms", "UTC", NANOS // 10**6, NANOS // 10**6 * 10**6),
        ("s", None, NANOS // 10**9, NANOS // 10**9 * 10**9),
    ],
)
def test_timestamp_columns_of_any_unit_read_as_exact_instants(tmp_path, unit, tz, value, instant):
    path = tmp_path / "ts.parquet"
    column = pa.array([value, None], pa.timestamp(unit, tz=tz))
    pq.write_table(pa.table({"ts": column, "id": [1, 2]}), path)
    [split] = plan_splits(list_inputs([str(path)]), 10**9)
    bad: list[Any] = []
    records = [record for _, record in read_split(split, lambda *report: bad.append(report))]
    assert bad == []
    assert parse_instant(records[0]["ts"]) == instant
    assert records[1] == {"ts": None, "id": 2}


def test_nanosecond_timestamps_are_written_back_as_exact_text(tmp_path):
    source = tmp_path / "ts.parquet"
    pq.write_table(pa.table({"ts": pa.array([NANOS], pa.timestamp("ns", tz="UTC"))}), source)
    [split] = plan_splits(list_inputs([str(source)]), 10**9)
    [(_, record)] = list(read_split(split, lambda *report: None))
    assert record == {"ts": "2024-01-01T00:00:00.123456789Z"}
    paths = write_parts(tmp_path, [[{"ts": 1}], [record]])
    parquet.unify_parts(paths)
    assert [pq.read_table(p).column("ts").to_pylist() for p in paths] == [
        ["1"],
        ["2024-01-01T00:00:00.123456789Z"],
    ]


def latest_of(tmp_path: Path, table: pa.Table) -> list[dict[str, Any]]:
    """latest_by_key's output records for a Parquet file of `table`, one reducer."""
    path = tmp_path / "versions.parquet"
    pq.write_table(table, path)
    out = tmp_path / "out"
    spec = RunSpec(
        job="latest_by_key",
        inputs=(str(path),),
        out=str(out),
        executor="sequential",
        reducers=1,
        state_dir=str(tmp_path / "state"),
    )
    run(spec)
    return [json.loads(line) for line in (out / "part-00000.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("tz", ["UTC", None])
def test_latest_by_key_on_nanosecond_timestamps_picks_the_later_instant(tmp_path, tz):
    # the later version comes first: at microsecond precision the two would tie, and the
    # tie would go to the version later in the input, the wrong one
    ts = pa.array([NANOS + 1, NANOS, NANOS - 5], pa.timestamp("ns", tz=tz))
    table = pa.table({"id": [1, 1, 2], "updated_at": ts, "v": ["new", "old", "x"]})
    zone = "Z" if tz else ""
    assert latest_of(tmp_path, table) == [
        {"id": 1, "updated_at": f"2024-01-01T00:00:00.123456790{zone}", "v": "new"},
        {"id": 2, "updated_at": f"2024-01-01T00:00:00.123456784{zone}", "v": "x"},
    ]


def test_latest_by_key_versions_by_a_date_column(tmp_path):
    # a Parquet date column reaches map as datetime.date: it failed every record as
    # "neither an ISO-8601 string nor a number", though the text "2024-03-01" was read
    import datetime as dt

    days = pa.array([dt.date(2024, 1, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 1)], pa.date32())
    table = pa.table({"id": [1, 1, 2], "updated_at": days, "v": ["old", "new", "x"]})
    assert latest_of(tmp_path, table) == [
        {"id": 1, "updated_at": "2024-03-01", "v": "new"},
        {"id": 2, "updated_at": "2024-03-01", "v": "x"},
    ]


def test_a_schema_naming_a_column_twice_is_an_error_not_a_lost_column(tmp_path):
    """The row {'v': 'b'} was read from columns v='a', v='b': one column dropped silently."""
    path = tmp_path / "dup.parquet"
    columns = [pa.array([1]), pa.array(["a"]), pa.array(["b"])]
    pq.write_table(pa.Table.from_arrays(columns, names=["id", "v", "v"]), path)
    with pytest.raises(
        InputError, match=r"dup.parquet: the schema names column 'v' twice \(columns 2 and 3\)"
    ):
        read_splits(plan_splits(list_inputs([str(path)]), 10**6))
