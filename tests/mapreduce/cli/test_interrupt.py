"""Ctrl-C: SIGINT to a run on each executor exits 130 naming the real run id, records no
failed attempt, and leaves a run that `mapreduce resume` finishes with the right output."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mapreduce.cli import main
from mapreduce.engine.ledger import Ledger

SLOW_JOB = '''
import os
import time

from mapreduce import Job, Param


class SlowCount(Job):
    """Counts records per key, slowly, and says when the first record is mapped."""

    marker = Param(str, "", "file created when map() first runs")

    def map(self, record):
        if self.marker and not os.path.exists(self.marker):
            open(self.marker, "w").close()
        time.sleep(0.004)
        yield record["k"], 1

    def merge(self, a, b):
        return a + b
'''
ROOT = Path(__file__).resolve().parents[3]


def mapreduce(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "mapreduce", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


@pytest.mark.parametrize("executor", ["sequential", "thread", "process"])
def test_sigint_exits_130_naming_the_run_and_resume_finishes_it(tmp_path, executor):
    (tmp_path / "slow.py").write_text(SLOW_JOB, encoding="utf-8")
    lines = [json.dumps({"k": i % 7}) for i in range(1_500)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker = tmp_path / "started"
    args = ["slow.py", "in.jsonl", "-o", "out", "--executor", executor, "--workers", "2"]
    child = mapreduce("run", *args, "--split-size", "2KB", "-p", f"marker={marker}", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the run never started mapping"
        time.sleep(0.02)
    os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    found = re.search(r"`mapreduce resume (\d{8}-\d{6}-[0-9a-f]{4})` finishes the run", stderr)
    assert found, stderr
    run_id = found.group(1)
    with Ledger(str(tmp_path / ".mapreduce")) as ledger:
        assert ledger.get_run(run_id).state == "failed"
        tasks = ledger.tasks(run_id)
    assert [(t.task_id, t.error) for t in tasks if t.error or t.state == "failed"] == []
    assert not list(tmp_path.glob(".out.*"))  # the staging folder went with the failure
    resumed = mapreduce("resume", run_id, "--quiet", cwd=tmp_path)
    stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    assert stdout == ""
    counts = {}
    for part in sorted((tmp_path / "out").glob("part-*.jsonl")):
        for line in part.read_text().splitlines():
            record = json.loads(line)
            counts[record["key"]] = record["value"]
    assert counts == {k: len(range(k, 1_500, 7)) for k in range(7)}
    success = json.loads((tmp_path / "out" / "_SUCCESS").read_text())
    assert (success["run_id"], success["resumed"]) == (run_id, True)
    with Ledger(str(tmp_path / ".mapreduce")) as ledger:  # the interrupted attempts taken back
        assert {t.attempts for t in ledger.tasks(run_id)} == {1}
        assert ledger.retries(run_id) == 0


def test_status_shows_a_run_whose_coordinator_died_as_stale(tmp_path, capsys):
    (tmp_path / "slow.py").write_text(SLOW_JOB, encoding="utf-8")
    lines = [json.dumps({"k": i % 7}) for i in range(1_500)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker = tmp_path / "started"
    args = [
        "slow.py",
        "in.jsonl",
        "-o",
        "out",
        "--executor",
        "sequential",
        "-p",
        f"marker={marker}",
    ]
    child = mapreduce("run", *args, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()
        time.sleep(0.02)
    os.killpg(child.pid, signal.SIGKILL)
    child.communicate(timeout=60)
    state = str(tmp_path / ".mapreduce")
    assert main(["status", "--state-dir", state]) == 0
    [_, row] = capsys.readouterr().out.splitlines()
    run_id, _, shown = row.split()[:3]
    assert shown == "stale"
    assert main(["status", run_id, "--state-dir", state]) == 0
    assert f"is gone; `mapreduce resume {run_id}` finishes it)" in capsys.readouterr().out
