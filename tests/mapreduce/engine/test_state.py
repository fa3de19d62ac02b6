"""The ledger's disk fills mid-run: one sentence, exit 2, no staging dir left beside OUT,
and the same command run again (with room) finishes the run.

Issue 8, defect 7: the run died with a traceback and left `.OUT.RUN.staging`, because the
failure was recorded (and failed again) before staging was discarded. Writes fail for
real: under a file-size limit (EFBIG, any user, so it runs in CI) and, where this user may
mount one, on a tiny tmpfs (ENOSPC). Each run has many small tasks, so the ledger's WAL
outgrows the limit while every spill and part file stays far below it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from mapreduce.engine.ledger import Ledger
from tests.limits import CAN_MOUNT, file_size_limit, tiny_filesystem

ROOT = Path(__file__).resolve().parents[3]
LIMIT = 200_000


def mapreduce(
    args: list[str], preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MAPREDUCE_FAULTS", None)
    return subprocess.run(
        [sys.executable, "-m", "mapreduce", *args, "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=300,
    )


@pytest.fixture
def words(tmp_path: Path) -> Path:
    path = tmp_path / "words.txt"
    path.write_text("".join(f"w{i % 50} w{i % 7}\n" for i in range(3000)))
    return path


def _args(words: Path, out: Path, state: Path) -> list[str]:
    # 100-byte splits: about 200 map tasks, each a few ledger transactions
    command = ["run", "word_count", str(words), "-o", str(out), "--state-dir", str(state)]
    return [*command, "--split-size", "100", "--executor", "sequential"]


def _check_clean_failure(done: subprocess.CompletedProcess[str], out: Path, why: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ledger ") and why in lines[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_a_ledger_over_the_file_size_limit_fails_cleanly_and_resumes(tmp_path, words):
    out, state = tmp_path / "out", tmp_path / "state"
    done = mapreduce(_args(words, out, state), file_size_limit(LIMIT))
    _check_clean_failure(done, out, "cannot be written")
    again = mapreduce(_args(words, out, state))
    assert again.returncode == 0, again.stderr
    counts = {}
    for part in out.glob("part-*"):
        for line in part.read_text().splitlines():
            record = json.loads(line)
            counts[record["word"]] = record["count"]
    assert counts == dict(Counter(words.read_text().split()))
    with Ledger(state) as ledger:
        assert [run.state for run in ledger.list_runs()] == ["done"]


@pytest.mark.skipif(
    not CAN_MOUNT,
    reason="mounting a tiny tmpfs needs Linux and root",
)
def test_a_full_disk_under_the_ledger_is_one_sentence_and_no_staging(tmp_path, words):
    out = tmp_path / "out"
    with tiny_filesystem(f"{LIMIT // 1024}k", "mapreduce-full") as state:
        done = mapreduce(_args(words, out, state))
    _check_clean_failure(done, out, "the disk is full")
