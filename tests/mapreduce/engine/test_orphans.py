"""Workers never outlive their coordinator: a SIGKILLed `mapreduce run` leaves no child.

Issue 8, defect 5: after the coordinator was SIGKILLed mid-map, its process-pool workers
stayed alive (PPID 1) for good. Here a real coordinator runs a slow job on a few MB; once
its workers are mapping it is SIGKILLed, and every process that descended from it must be
gone within seconds (read from /proc: psutil is not a dependency).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

ROOT = Path(__file__).resolve().parents[3]
SLOW_JOB = '''
import os
import time

from mapreduce import Job, Param


class SlowWords(Job):
    """Counts words, slowly; creates `marker` when map() first runs."""

    marker = Param(str, "", "file created when map() first runs")

    def map(self, line):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
        time.sleep(0.001)
        for word in line.split():
            yield word, 1

    def merge(self, a, b):
        return a + b
'''


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every live process below `root`, by pid, with its start time (to see reuse)."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _stat(int(entry))) is not None:
            parents.setdefault(info[0], []).append(int(entry))
            starts[int(entry)] = info[2]
    found, todo = {}, [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def survivors(processes: dict[int, str]) -> list[int]:
    """The processes still running (not gone, not a zombie, same start time)."""
    alive = []
    for pid, start in processes.items():
        info = _stat(pid)
        if info is not None and info[1] != "Z" and info[2] == start:
            alive.append(pid)
    return alive


@pytest.mark.parametrize(
    "faults",
    [None, "map:0:kill"],
    ids=["pool", "rebuilt-pool"],  # a worker killed: the pool is rebuilt
)
def test_a_sigkilled_coordinator_leaves_no_worker_behind(tmp_path: Path, faults: str | None):
    (tmp_path / "slow.py").write_text(SLOW_JOB, encoding="utf-8")
    words = " ".join(f"w{i % 97}" for i in range(12)) + "\n"
    (tmp_path / "in.txt").write_text(words * 60_000, encoding="utf-8")  # about 3.5 MB
    marker = tmp_path / "mapping"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MAPREDUCE_FAULTS", None)
    if faults:
        env["MAPREDUCE_FAULTS"] = faults
    args = ["run", str(tmp_path / "slow.py"), str(tmp_path / "in.txt"), "-o", str(tmp_path / "o")]
    args += ["-p", f"marker={marker}", "--workers", "2", "--split-size", "256KiB", "--quiet"]
    coordinator = subprocess.Popen(
        [sys.executable, "-m", "mapreduce", *args, "--state-dir", str(tmp_path / "state")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or (faults and not _retried(tmp_path / "state")):
            assert coordinator.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the workers never started mapping"
            time.sleep(0.05)
        time.sleep(0.3)
        children = descendants(coordinator.pid)
        assert len(children) >= 2, children  # the pool's workers (and any helper)
    finally:
        coordinator.send_signal(signal.SIGKILL)
        coordinator.wait()
    deadline = time.monotonic() + 10
    while survivors(children) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = survivors(children)
    for pid in left:  # do not leak them into the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes outlived their coordinator: {left}"


def _retried(state: Path) -> bool:
    """Whether a map task is on its second attempt: its worker was killed, the pool rebuilt."""
    ledger = state / "ledger.sqlite3"
    if not ledger.exists():
        return False
    with contextlib.closing(sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)) as conn:
        try:
            row = conn.execute("SELECT MAX(attempts) FROM tasks WHERE kind = 'map'").fetchone()
        except sqlite3.OperationalError:  # not created yet
            return False
    return bool(row and row[0] and row[0] >= 2)
