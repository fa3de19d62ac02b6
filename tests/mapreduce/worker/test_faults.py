"""Injected faults of every kind, in map and in reduce: the job still succeeds with the
fault-free output, byte for byte; a task that always fails names itself and leaves OUT."""

from __future__ import annotations

import faulthandler
import subprocess
import sys

import pytest

from mapreduce.cli import main
from mapreduce.engine.api import run
from mapreduce.engine.ledger import Ledger
from mapreduce.engine.spec import RunSpec
from mapreduce.errors import TaskFailedError, UsageError
from mapreduce.worker.faults import parse_faults
from tests import oracles


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    return oracles.write_ndjson(root / "users.jsonl", oracles.versioned_users(count=400))


@pytest.fixture(scope="module")
def expected(users, tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    return oracles.part_bytes(_run(root, users, None, "process"))


def _run(root, users, faults, executor, timeout=None):
    out = root / "out"
    run(
        RunSpec(
            job="latest_by_key",
            inputs=(str(users),),
            out=str(out),
            executor=executor,
            workers=2,
            reducers=2,
            split_size=2000,
            state_dir=str(root / "state"),
            faults=faults or "",
            task_timeout=timeout,
        )
    )
    return out


@pytest.fixture
def quiet_segfaults():
    """No "Fatal Python error: Segmentation fault" dump from the worker the segv fault kills:
    pytest turns faulthandler on, and forked workers inherit it. Off for the test only."""
    enabled = faulthandler.is_enabled()
    faulthandler.disable()
    yield
    if enabled:
        faulthandler.enable(file=sys.__stderr__, all_threads=True)


@pytest.mark.usefixtures("quiet_segfaults")
@pytest.mark.parametrize("kind", ["raise", "exit", "kill", "segv"])
@pytest.mark.parametrize("where", ["map:3", "reduce:1"])
def test_process_pool_survives(tmp_path, users, expected, kind, where):
    out = _run(tmp_path, users, f"{where}:{kind}", "process")
    assert oracles.part_bytes(out) == expected
    # a worker killed mid-write leaves no temporary file behind in OUT
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", *expected]


def test_the_segfault_tests_print_no_fatal_error_dump():
    # issue 12: the test run printed the dump of the worker the segv fault kills
    test = f"{__file__}::test_process_pool_survives[map:3-segv]"
    command = [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Fatal Python error" not in done.stdout + done.stderr


@pytest.mark.usefixtures("quiet_segfaults")
def test_several_faults_at_once(tmp_path, users, expected):
    faults = "map:0:kill,map:5:raise,map:9:exit,reduce:0:segv,reduce:1:raise"
    assert oracles.part_bytes(_run(tmp_path, users, faults, "process")) == expected


def test_a_hung_task_is_killed_after_the_timeout(tmp_path, users, expected):
    out = _run(tmp_path, users, "map:2:hang", "process", timeout=3)
    assert oracles.part_bytes(out) == expected


@pytest.mark.parametrize("executor", ["sequential", "thread"])
def test_in_process_executors_retry_too(tmp_path, users, expected, executor):
    out = _run(tmp_path, users, "map:1:kill,reduce:0:raise", executor)
    assert oracles.part_bytes(out) == expected


def test_faults_come_from_the_environment(tmp_path, users, expected, monkeypatch):
    monkeypatch.setenv("MAPREDUCE_FAULTS", "map:4:raise")
    out = tmp_path / "out"
    run(
        RunSpec(
            job="latest_by_key",
            inputs=(str(users),),
            out=str(out),
            executor="sequential",
            workers=2,
            reducers=2,
            split_size=2000,
            state_dir=str(tmp_path / "s"),
        )
    )
    assert oracles.part_bytes(out) == expected


def test_bad_fault_specs_are_refused():
    assert parse_faults("map:3:kill, reduce:0:raise") == {
        "map-00003": "kill",
        "reduce-00000": "raise",
    }
    with pytest.raises(UsageError, match="KIND:INDEX:FAULT"):
        parse_faults("map:x:kill")
    with pytest.raises(UsageError, match="not one of"):
        parse_faults("map:1:explode")


ALWAYS_FAILS = """
from mapreduce import Job

class Flaky(Job):
    def map(self, record):
        if record["n"] == 123:
            raise OSError("the disk is on fire")
        yield record["id"], 1

    def merge(self, a, b):
        return a + b
"""


def test_a_task_that_always_fails_ends_the_job_and_leaves_out(tmp_path, users, capsys):
    job = tmp_path / "flaky.py"
    job.write_text(ALWAYS_FAILS)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old").write_text("old")
    code = main(
        [
            "run",
            str(job),
            str(users),
            "-o",
            str(out),
            "--overwrite",
            "--quiet",
            "--split-size",
            "4000",
            "--state-dir",
            str(tmp_path / "s"),
            "--max-attempts",
            "2",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: map-00")
    assert f"{users} bytes " in err
    assert "failed after 2 attempts: OSError: the disk is on fire" in err
    assert [p.name for p in out.iterdir()] == ["old"]


def test_the_worker_traceback_is_chained(tmp_path, users):
    job = tmp_path / "flaky.py"
    job.write_text(ALWAYS_FAILS)
    with pytest.raises(TaskFailedError) as caught:
        run(
            RunSpec(
                job=str(job),
                inputs=(str(users),),
                out=str(tmp_path / "o"),
                executor="process",
                workers=2,
                max_attempts=1,
                state_dir=str(tmp_path / "s"),
            )
        )
    cause = caught.value.__cause__
    assert isinstance(cause, OSError)
    assert "the disk is on fire" in str(cause.__cause__)  # the remote traceback text


JOB_BUG = """
from mapreduce import Job

class Buggy(Job):
    def map(self, record):
        yield record["id"], 1

    def merge(self, a, b):
        return a + b

    def output(self, key, value):
        return {"id": key, "ratio": value / 0}
"""


@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_a_bug_in_the_job_fails_once_naming_the_job_line(tmp_path, users, capsys, executor):
    # issue 12: a ZeroDivisionError in output() was retried 3 times, with no file or line.
    job = tmp_path / "buggy.py"
    job.write_text(JOB_BUG)
    state = tmp_path / "s"
    argv = ["run", str(job), str(users), "-o", str(tmp_path / "out"), "--quiet"]
    code = main([*argv, "--executor", executor, "--state-dir", str(state)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert "reduce-0000" in err and "buggy.py:12 in output: ZeroDivisionError" in err
    with Ledger(str(state)) as ledger:
        (info,) = ledger.list_runs()
        attempts = [t.attempts for t in ledger.tasks(info.run_id) if t.state == "failed"]
    assert attempts == [1]  # deterministic: not retried
    assert not (tmp_path / "out").exists()
