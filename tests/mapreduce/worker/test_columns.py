"""Combining and partitioning on columns agree with the row path's dict, `latest` and
partition_of; columnar spill files read back what was written."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.errors import JobError, TaskFailedError
from mapreduce.keys import partition_of
from mapreduce.timestamps import latest
from mapreduce.worker.columns import combine, partitions_of, split_by_partition
from mapreduce.worker.columns_spill import ColumnSpillWriter, is_column_spill, read_partition
from mapreduce.worker.spill import verify_spill

KEYS = st.one_of(
    st.lists(st.integers(-(2**63), 2**63 - 1) | st.integers(-3, 3), max_size=40),
    st.lists(st.text(max_size=4), max_size=40),
)


def _latest_table(keys, seconds, nanos):
    n = len(keys)
    return pa.table(
        {
            "key": pa.array(keys, pa.int64() if all(type(k) is int for k in keys) else None),
            "seconds": pa.array(seconds[:n], pa.int64()),
            "nanos": pa.array(nanos[:n], pa.int64()),
            "position": pa.array(range(n), pa.int64()),
            "length": pa.array([1] * n, pa.int64()),
        }
    )


@settings(max_examples=200, deadline=None)
@given(KEYS, st.data())
def test_latest_on_columns_is_the_row_paths_merge(keys, data):
    n = len(keys)
    seconds = data.draw(st.lists(st.integers(-2, 2), min_size=n, max_size=n))
    nanos = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    expected: dict = {}
    for position, key in enumerate(keys):
        version = (seconds[position] * 10**9 + nanos[position], position, None)
        expected[key] = latest(expected[key], version) if key in expected else version
    got = combine("latest", _latest_table(keys, seconds, nanos)).to_pylist()
    assert [row["key"] for row in got] == sorted(expected)
    assert [row["position"] for row in got] == [expected[k][1] for k in sorted(expected)]


@settings(max_examples=100, deadline=None)
@given(KEYS)
def test_sum_on_columns_is_a_counter(keys):
    table = pa.table(
        {
            "key": pa.array(keys, pa.int64() if keys and type(keys[0]) is int else None),
            "value": pa.array([1] * len(keys), pa.int64()),
        }
    )
    got = combine("sum", table).to_pylist()
    counts = Counter(keys)
    assert [(row["key"], row["value"]) for row in got] == sorted(counts.items())


@settings(max_examples=100, deadline=None)
@given(KEYS, st.data())
def test_sum_on_columns_adds_any_values_in_chunks(keys, data):
    values = data.draw(
        st.lists(st.integers(-(2**40), 2**40), min_size=len(keys), max_size=len(keys))
    )
    kind = pa.int64() if keys and type(keys[0]) is int else pa.string()
    half = len(keys) // 2
    table = pa.table(
        {
            "key": pa.chunked_array([pa.array(keys[:half], kind), pa.array(keys[half:], kind)]),
            "value": pa.chunked_array(
                [pa.array(values[:half], pa.int64()), pa.array(values[half:], pa.int64())]
            ),
        }
    )
    expected: Counter = Counter()
    for key, value in zip(keys, values, strict=True):
        expected[key] += value
    got = combine("sum", table).to_pylist()
    assert [(row["key"], row["value"]) for row in got] == sorted(expected.items())


def test_sum_of_a_null_key_lane_is_one_total():
    table = pa.table({"key": pa.nulls(3), "value": pa.array([1, 2, 4], pa.int64())})
    assert combine("sum", table).to_pylist() == [{"key": None, "value": 7}]


@settings(max_examples=100, deadline=None)
@given(KEYS, st.integers(1, 7))
def test_partitions_are_partition_of(keys, partitions):
    array = pa.array(keys, pa.int64() if keys and type(keys[0]) is int else pa.string())
    assert partitions_of(array, partitions).tolist() == [partition_of(k, partitions) for k in keys]


def test_a_columnar_spill_reads_back_by_partition_and_lane(tmp_path):
    table = pa.table(
        {
            "key": pa.array(["a", "b", "c", "d"], pa.large_string()),
            "value": pa.array([1, 2, 3, 4], pa.int64()),
        }
    )
    path = str(tmp_path / "map-00000-000.arrow")
    writer = ColumnSpillWriter(
        path, 3, {0: ("in.txt", "text", None, ","), 1: ("b.tsv", "csv", ["a"], "\t")}
    )
    for partition, part in enumerate(split_by_partition(table, 3)):
        writer.add(partition, "str", part)
        writer.add(partition, "pairs", [((1, 2), partition)])
    spill = writer.close()
    assert is_column_spill(path) and verify_spill(spill)
    rows = []
    for partition in range(3):
        lanes, files = read_partition(path, partition)
        assert files == {0: ("in.txt", "text", None, ","), 1: ("b.tsv", "csv", ["a"], "\t")}
        assert lanes[-1] == ("pairs", [((1, 2), partition)])
        for _, part in lanes[:-1]:
            rows += [(partition_of(r["key"], 3), partition, r["value"]) for r in part.to_pylist()]
            buffers = [b for column in part.columns for c in column.chunks for b in c.buffers()]
            assert all(b.address % 8 == 0 for b in buffers if b is not None)  # mapped or copied
    assert sorted(value for *_, value in rows) == [1, 2, 3, 4]
    assert all(want == got for want, got, _ in rows)
    assert sum(spill.pairs) == 4 + 3


LIAR = """
from jobs.latest_by_key import LatestByKey


class Liar(LatestByKey):
    def output(self, key, version):
        return {"id": key}
"""


def test_a_job_whose_output_is_not_the_record_it_declares_fails(tmp_path):
    data = tmp_path / "in.jsonl"
    data.write_text('{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}\n')
    job = tmp_path / "liar.py"
    job.write_text(LIAR)
    spec = RunSpec(
        job=str(job),
        inputs=(str(data),),
        out=str(tmp_path / "out"),
        state_dir=str(tmp_path / "state"),
    )
    with pytest.raises((JobError, TaskFailedError), match="batch_output = 'record'"):
        run(spec)


def test_a_spill_written_before_delimiters_reads_back_comma_separated(tmp_path):
    # a footer of (path, format, header): a run resumed across the change
    path = str(tmp_path / "map-00000-000.arrow")
    writer = ColumnSpillWriter(path, 1, {0: ("in.csv", "csv", ["a"])})  # type: ignore[dict-item]
    writer.add(0, "pairs", [(1, 1)])
    writer.close()
    assert read_partition(path, 0)[1] == {0: ("in.csv", "csv", ["a"], ",")}
