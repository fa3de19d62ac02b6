"""Every crash point of the commit is resumable: the same command given again finishes.

Issue 8, defect 6: a coordinator killed just after OUT appeared left a run `running`
forever; the same command then failed with "exists and is not empty; pass --overwrite",
and `purge` never freed its work dir. Here a real coordinator is SIGKILLed at each step of
the commit (MAPREDUCE_CRASH_AT, read by engine.committer) and the command is run again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mapreduce.engine.committer import CRASH_POINTS, CRASH_VAR
from mapreduce.engine.ledger import Ledger

ROOT = Path(__file__).resolve().parents[3]


def mapreduce(*args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(CRASH_VAR, None)
    env.pop("MAPREDUCE_FAULTS", None)
    if crash_at is not None:
        env[CRASH_VAR] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "mapreduce", *args, "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def parts(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(out.glob("part-*"))}


@pytest.fixture
def setup(tmp_path: Path):
    words = tmp_path / "in" / "words.txt"
    words.parent.mkdir()
    words.write_text("".join(f"w{i % 13} w{i % 7} w{i % 3}\n" for i in range(3000)))
    state = tmp_path / "state"
    reference = tmp_path / "reference"
    common = ["word_count", str(words), "--workers", "2", "--state-dir", str(state)]
    assert mapreduce("run", *common, "-o", str(reference)).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "old-part.jsonl").write_text("{}\n")  # a previous output, to be replaced
    return tmp_path, state, out, ["run", *common, "-o", str(out), "--overwrite"], parts(reference)


def _runs_into(state: Path, out: Path) -> list[tuple[str, str]]:
    with Ledger(state) as ledger:
        return [(run.run_id, run.state) for run in ledger.list_runs() if run.out == str(out)]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_the_same_command_finishes_a_run_killed_in_its_commit(setup, point):
    tmp_path, state, out, argv, expected = setup
    killed = mapreduce(*argv, crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [(run_id, state_now)] = _runs_into(state, out)
    assert state_now == "running"
    assert out.exists() == (point != "after-rename-old")

    again = mapreduce(*argv)
    assert again.returncode == 0, again.stderr
    assert parts(out) == expected and not (out / "old-part.jsonl").exists()
    success = json.loads((out / "_SUCCESS").read_text())
    assert success["run_id"] == run_id
    assert _runs_into(state, out) == [(run_id, "done")]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not (state / "runs" / run_id).exists()


def test_purge_settles_a_run_killed_after_its_commit_and_frees_it(setup):
    tmp_path, state, out, argv, expected = setup
    assert mapreduce(*argv, crash_at="after-rename").returncode == -signal.SIGKILL
    [(run_id, _)] = _runs_into(state, out)
    assert (state / "runs" / run_id).exists()
    purged = mapreduce("purge", "--older-than", "0s", "--state-dir", str(state))
    assert purged.returncode == 0, purged.stderr
    assert _runs_into(state, out) == []
    assert not (state / "runs" / run_id).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert parts(out) == expected


def test_purge_marks_a_run_killed_before_its_commit_failed_and_keeps_it_resumable(setup):
    _, state, out, argv, expected = setup
    assert mapreduce(*argv, crash_at="after-success").returncode == -signal.SIGKILL
    [(run_id, _)] = _runs_into(state, out)
    assert mapreduce("purge", "--older-than", "1d", "--state-dir", str(state)).returncode == 0
    assert _runs_into(state, out) == [(run_id, "failed")]
    again = mapreduce(*argv)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "_SUCCESS").read_text())["run_id"] == run_id
    assert parts(out) == expected
