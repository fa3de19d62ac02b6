"""Jobs with reduce(key, values), user counters, and map output spilled in many runs:
the k-way merge path gives every key all its values, in input order, as an iterator."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.worker import reducer
from tests import oracles

HISTORY = """
from mapreduce import Job


class History(Job):
    '''Every version's n per key, in input order, with counters.'''

    def map(self, record):
        self.count("records")
        if record["n"] % 2:
            self.count("odd")
        yield record["id"], record["n"]

    def reduce(self, key, values):
        assert not isinstance(values, (list, tuple)), "values must stream"
        self.count("keys")
        yield {"id": key, "history": list(values)}
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("reduce")
    users = oracles.versioned_users(count=700, keys=90, mixed_keys=True)
    path = oracles.write_ndjson(root / "users.jsonl", users)
    job = root / "history.py"
    job.write_text(HISTORY)
    expected = {}
    for user in users:
        expected.setdefault(oracles.key_token(user["id"]), []).append(user["n"])
    return path, job, users, expected


@pytest.mark.parametrize(
    ("executor", "workers", "split_size", "reducers", "spill_pairs"),
    [
        ("sequential", 1, None, 1, 1_000_000),
        ("sequential", 2, 700, 3, 7),
        ("thread", 3, 333, 2, 50),
        ("process", 2, 1000, 4, 3),
    ],
)
def test_reduce_sees_every_value_in_input_order(
    tmp_path, setup, executor, workers, split_size, reducers, spill_pairs
):
    path, job, users, expected = setup
    out = tmp_path / "out"
    summary = run(
        RunSpec(
            job=str(job),
            inputs=(str(path),),
            out=str(out),
            executor=executor,
            workers=workers,
            reducers=reducers,
            split_size=split_size,
            spill_pairs=spill_pairs,
            state_dir=str(tmp_path / "state"),
        )
    )
    got = {oracles.key_token(r["id"]): r["history"] for r in oracles.read_parts(out)}
    assert got == expected
    odd = sum(1 for u in users if u["n"] % 2)
    assert summary.user_counters == {"records": len(users), "odd": odd, "keys": len(expected)}
    success = json.loads((out / "_SUCCESS").read_text())
    assert success["user_counters"] == summary.user_counters


def test_merge_jobs_spilling_in_many_runs_still_combine_exactly(tmp_path, setup):
    path, _, users, _ = setup
    out = tmp_path / "out"
    run(
        RunSpec(
            job="latest_by_key",
            inputs=(str(path),),
            out=str(out),
            executor="sequential",
            workers=2,
            split_size=900,
            spill_pairs=5,
            state_dir=str(tmp_path / "s"),
        )
    )
    got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(out)}
    assert got == oracles.latest_by_key(users)


def test_merging_in_passes_keeps_every_value_in_input_order(tmp_path, setup, monkeypatch):
    """More spills than one merge reads at once (_FAN_IN, 2 here) are merged in passes:
    the same values in the same order, and no pass file left behind."""
    path, job, _, expected = setup
    monkeypatch.setattr(reducer, "_FAN_IN", 2)
    out, state = tmp_path / "out", tmp_path / "state"
    spec = RunSpec(
        job=str(job),
        inputs=(str(path),),
        out=str(out),
        executor="sequential",
        split_size=700,  # about 100 map tasks
        spill_pairs=7,  # and several spills each
        reducers=2,
        state_dir=str(state),
    )
    assert run(spec).counters["map_tasks"] > 50
    got = {oracles.key_token(r["id"]): r["history"] for r in oracles.read_parts(out)}
    assert got == expected
    assert not list(state.rglob("*pass*.spill"))


def test_a_reduce_over_more_spills_than_the_open_files_limit(tmp_path, setup):
    """Every map task's spill was open at once in the reduce's merge: 300 map tasks under
    a limit of 128 descriptors failed with "Too many open files"."""
    path, job, _, expected = setup
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mapreduce", "run", str(job), str(path), "-o", str(out)]
    command += ["--quiet", "--state-dir", str(tmp_path / "state"), "--split-size", "150"]
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=_low_open_files_limit, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "_SUCCESS").read_text())["counters"]["map_tasks"] > 128
    got = {oracles.key_token(r["id"]): r["history"] for r in oracles.read_parts(out)}
    assert got == expected


def _low_open_files_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))


UNWRITABLE = """
from decimal import Decimal
from mapreduce import Job, Param


class Point:
    pass


class Tags(Job):
    bad = Param(bool, False)

    def map(self, record):
        yield record["id"] % 2, {str(record["id"])}

    def merge(self, a, b):
        return a | b

    def output(self, key, tags):
        if key == 1 and self.bad:
            return {"key": key, "where": Point()}
        return {"key": key, "tags": tags, "exact": Decimal("0.10")}
"""


@pytest.mark.parametrize("output_format", ["ndjson", "csv", "parquet"])
def test_sets_and_decimals_are_written_and_other_values_fail_once_naming_the_record(
    tmp_path, output_format
):
    """A value the output cannot hold is a bug in the job: it used to be retried 3 times and
    end in a bare 'TypeError: Type is not JSON serializable: set', even for a set."""
    from mapreduce.errors import JobError

    data = tmp_path / "in.jsonl"
    data.write_text("".join(f'{{"id": {i}}}\n' for i in range(12, 0, -1)))
    job = tmp_path / "tags.py"
    job.write_text(UNWRITABLE)
    out = tmp_path / "good"
    run(RunSpec(str(job), (str(data),), str(out), reducers=1, executor="sequential",
                output_format=output_format, state_dir=str(tmp_path / "state")))  # fmt: skip
    part = next(out.glob("part-*"))
    if output_format == "ndjson":
        assert part.read_text().splitlines() == [
            '{"key":0,"tags":["10","12","2","4","6","8"],"exact":0.10}',
            '{"key":1,"tags":["1","11","3","5","7","9"],"exact":0.10}',
        ]
    elif output_format == "csv":
        assert (
            part.read_text().splitlines()[1] == '0,"[""10"",""12"",""2"",""4"",""6"",""8""]",0.10'
        )
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(part).to_pylist()
        assert [row["tags"] for row in rows] == [
            ["10", "12", "2", "4", "6", "8"], ["1", "11", "3", "5", "7", "9"]
        ]  # fmt: skip
    bad = tmp_path / "bad"
    spec = RunSpec(str(job), (str(data),), str(bad), reducers=1, executor="sequential",
                   output_format=output_format, params={"bad": True},
                   state_dir=str(tmp_path / "state"))  # fmt: skip
    with pytest.raises(JobError) as caught:
        run(spec)
    message = str(caught.value)
    assert "cannot write a Point as JSON" in message and "not retried" in message
    assert "after 3 attempts" not in message
    assert not bad.exists() and not list(tmp_path.glob("bad*"))


def test_an_unpicklable_value_fails_the_map_task_once(tmp_path):
    from mapreduce.errors import JobError

    data = tmp_path / "in.jsonl"
    data.write_text('{"id": 1}\n{"id": 2}\n')
    job = tmp_path / "locks.py"
    job.write_text(
        "import threading\nfrom mapreduce import Job\n\n\nclass Locks(Job):\n"
        "    def map(self, record):\n        yield record['id'], threading.Lock()\n\n"
        "    def reduce(self, key, values):\n        yield {'key': key}\n"
    )
    spec = RunSpec(str(job), (str(data),), str(tmp_path / "out"), executor="sequential",
                   state_dir=str(tmp_path / "state"))  # fmt: skip
    with pytest.raises(JobError) as caught:
        run(spec)
    assert "a pair for key 1 cannot be written to a spill file" in str(caught.value)
    assert "not retried" in str(caught.value) and "attempts" not in str(caught.value)
