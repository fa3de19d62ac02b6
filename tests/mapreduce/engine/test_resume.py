"""Kill the coordinator mid-job and resume: the output equals an uninterrupted run's, and
no map task that was done before the kill runs again. Also: what changed refuses a resume,
many jobs share one state dir, and the ops console."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from mapreduce.cli import main
from tests import oracles

SLOW_JOB = """
import time
from mapreduce import Job
from mapreduce.timestamps import latest, parse_instant

class SlowLatest(Job):
    def map(self, record):
        time.sleep(0.004)
        yield record["id"], (parse_instant(record["updated_at"]), self.position, record)

    merge = staticmethod(latest)

    def output(self, key, version):
        return version[2]
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    users = oracles.write_ndjson(root / "users.jsonl", oracles.versioned_users(count=500))
    job = root / "slow.py"
    job.write_text(SLOW_JOB)
    reference = root / "reference"
    assert main(_args(job, users, reference, root / "ref-state")) == 0
    return root, job, users, oracles.part_bytes(reference)


def _args(job, users, out, state):
    return [
        "run",
        str(job),
        str(users),
        "-o",
        str(out),
        "--quiet",
        "--state-dir",
        str(state),
        "--executor",
        "sequential",
        "--split-size",
        "1500",
        "--reducers",
        "2",
    ]


def _done_maps(state: Path) -> dict[str, int]:
    db = state / "ledger.sqlite3"
    if not db.exists():
        return {}
    with closing(sqlite3.connect(db)) as conn, conn:
        try:
            rows = conn.execute(
                "SELECT task_id, attempts FROM tasks WHERE kind = 'map' AND state = 'done'"
            ).fetchall()
        except sqlite3.OperationalError:
            return {}
    return dict(rows)


def _attempts(state: Path) -> dict[str, int]:
    """Attempts per task of the one run in `state` (a resume must not start a second run)."""
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        return dict(conn.execute("SELECT task_id, attempts FROM tasks").fetchall())


def _start(job, users, out, state):
    return subprocess.Popen(
        [sys.executable, "-m", "mapreduce", *_args(job, users, out, state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_after(proc, state, min_done=0, delay=0.0):
    deadline = time.monotonic() + 60
    while len(_done_maps(state)) < min_done and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return _done_maps(state)


def kill_and_resume(tmp_path, setup, min_done, delay, how="run"):
    _, job, users, expected = setup
    out, state = tmp_path / "out", tmp_path / "state"
    proc = _start(job, users, out, state)
    done_before = _kill_after(proc, state, min_done, delay)
    if proc.returncode == 0:  # finished before the kill: nothing to resume
        assert oracles.part_bytes(out) == expected
        return None
    assert proc.returncode == -signal.SIGKILL, proc.returncode
    assert not out.exists()
    if how == "resume":
        with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
            (run_id,) = conn.execute("SELECT run_id FROM runs").fetchone()
        assert main(["resume", run_id, "--state-dir", str(state), "--quiet"]) == 0
    else:
        assert main(_args(job, users, out, state)) == 0
    assert oracles.part_bytes(out) == expected
    attempts = _attempts(state)
    for task_id, before in done_before.items():
        assert attempts[task_id] == before, f"{task_id} ran again after the resume"
    return done_before


def test_rerunning_the_same_command_resumes(tmp_path, setup):
    assert len(kill_and_resume(tmp_path, setup, min_done=3, delay=0) or ()) >= 3


def test_resume_by_run_id(tmp_path, setup):
    assert len(kill_and_resume(tmp_path, setup, min_done=2, delay=0, how="resume") or ()) >= 2


def _killed_then_input_changed(tmp_path, setup):
    """Kill a run over a copy of the input after a map task is done, then change the copy."""
    _, job, users, _ = setup
    copy = tmp_path / "users.jsonl"
    copy.write_bytes(users.read_bytes())
    out, state = tmp_path / "out", tmp_path / "state"
    _kill_after(_start(job, copy, out, state), state, min_done=1)
    with open(copy, "a") as handle:
        handle.write('{"id": 1, "updated_at": "2030-01-01T00:00:00Z"}\n')
    return job, copy, out, state


def test_resume_refuses_when_an_input_changed(tmp_path, setup, capsys):
    _, copy, _, state = _killed_then_input_changed(tmp_path, setup)
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        (run_id,) = conn.execute("SELECT run_id FROM runs").fetchone()
    assert main(["resume", run_id, "--state-dir", str(state), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"cannot resume run {run_id}: input {copy} changed" in err
    # resume never starts a fresh run in its place (issue 7): still that one run, not done.
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        assert conn.execute("SELECT run_id, state FROM runs").fetchall() == [(run_id, "running")]


@pytest.mark.slow
def test_kill_at_random_moments_and_resume(tmp_path, setup):
    """Stress: `python -m pytest -m slow -k random_moments`."""
    rng = random.Random(int(os.environ.get("STRESS_SEED", "7")))
    iterations = int(os.environ.get("STRESS_ITERATIONS", "30"))
    killed = 0
    for i in range(iterations):
        (tmp_path / str(i)).mkdir()
        killed += kill_and_resume(tmp_path / str(i), setup, 0, rng.uniform(0.05, 1.8)) is not None
    assert killed == iterations


def test_eight_concurrent_jobs_share_one_state_dir(tmp_path, setup):
    _, _, users, _ = setup
    state = tmp_path / "state"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mapreduce",
                "run",
                "latest_by_key",
                str(users),
                "-o",
                str(tmp_path / f"out{i}"),
                "--quiet",
                "--state-dir",
                str(state),
                "--executor",
                "sequential",
                "--split-size",
                "3000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    expected = oracles.latest_by_key(oracles.versioned_users(count=500))
    for i in range(8):
        got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(tmp_path / f"out{i}")}
        assert got == expected
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        assert conn.execute("SELECT count(*), min(state), max(state) FROM runs").fetchone() == (
            8,
            "done",
            "done",
        )


def test_status_and_purge(tmp_path, setup, capsys):
    _, _, users, _ = setup
    state = str(tmp_path / "state")
    assert (
        main(
            [
                "run",
                "latest_by_key",
                str(users),
                "-o",
                str(tmp_path / "o"),
                "--quiet",
                "--state-dir",
                state,
                "--executor",
                "sequential",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["status", "--state-dir", state]) == 0
    listing = capsys.readouterr().out
    run_id = listing.splitlines()[1].split()[0]
    assert "LatestByKey" in listing and "done" in listing
    assert main(["status", run_id, "--state-dir", state]) == 0
    detail = capsys.readouterr().out
    assert "map-00000" in detail and "reduce-00000" in detail and "records_read" in detail
    assert main(["purge", "--older-than", "0s", "--state-dir", state]) == 0
    assert "purged 1 run" in capsys.readouterr().out
    assert main(["status", run_id, "--state-dir", state]) == 2
    assert main(["purge", "--older-than", "soon", "--state-dir", state]) == 2


def test_a_done_map_output_that_fails_verification_is_rerun(tmp_path, setup):
    import json

    _, job, users, expected = setup
    out, state = tmp_path / "out", tmp_path / "state"
    done = _kill_after(_start(job, users, out, state), state, min_done=3)
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        row = conn.execute(
            "SELECT task_id, result FROM tasks WHERE task_id = ?", (sorted(done)[0],)
        ).fetchone()
    task_id, result = row[0], json.loads(row[1])
    spill = Path(result["spills"][0]["path"])
    data = bytearray(spill.read_bytes())
    data[len(data) // 2] ^= 0xFF
    spill.write_bytes(bytes(data))
    assert main(_args(job, users, out, state)) == 0
    assert oracles.part_bytes(out) == expected
    attempts = _attempts(state)
    assert attempts[task_id] == done[task_id] + 1  # re-run: its saved output was damaged
    assert all(attempts[t] == n for t, n in done.items() if t != task_id)


def test_running_again_after_an_input_changed_starts_a_new_run(tmp_path, setup, capsys):
    job, copy, out, state = _killed_then_input_changed(tmp_path, setup)
    args = [a for a in _args(job, copy, out, state) if a != "--quiet"]
    assert main(args) == 0
    assert "not resuming run" in capsys.readouterr().err
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        states = [s for (s,) in conn.execute("SELECT state FROM runs ORDER BY created_at")]
    assert states == ["failed", "done"]
    got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(out)}
    assert got[oracles.key_token(1)]["updated_at"] == "2030-01-01T00:00:00Z"


def test_a_rerun_after_editing_a_helper_module_starts_afresh(tmp_path):
    """The map tasks done before the failure ran the old helper: reusing them mixed old and
    new values in one output (83, 83, 92 instead of 200 each), with no word said."""
    (tmp_path / "scale_helper.py").write_text("SCALE = 1\nBROKEN = True\n")
    job = tmp_path / "scaled.py"
    job.write_text(
        "import scale_helper\nfrom mapreduce import Job\n\n"
        "class Scaled(Job):\n"
        "    def map(self, record):\n"
        "        if scale_helper.BROKEN and record['id'] == 40:\n"
        "            raise ValueError('broken helper')\n"
        "        yield record['id'] % 3, scale_helper.SCALE\n\n"
        "    def merge(self, a, b):\n"
        "        return a + b\n"
    )
    data = tmp_path / "in.jsonl"
    data.write_text("".join(f'{{"id": {i}}}\n' for i in range(60)))
    out, state = tmp_path / "out", tmp_path / "state"
    command = [sys.executable, "-m", "mapreduce", "run", str(job), str(data), "-o", str(out),
               "--state-dir", str(state), "--executor", "sequential", "--split-size", "100",
               "--reducers", "1", "--max-attempts", "1", "--quiet"]  # fmt: skip
    failed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "broken helper" in failed.stderr
    assert len(_done_maps(state)) >= 3  # tasks before line 41 finished with SCALE = 1
    (tmp_path / "scale_helper.py").write_text("SCALE = 10\nBROKEN = False\n")
    rerun = subprocess.run(command, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming" not in rerun.stderr
    lines = (out / "part-00000.jsonl").read_text().splitlines()
    assert lines == ['{"key":0,"value":200}', '{"key":1,"value":200}', '{"key":2,"value":200}']
