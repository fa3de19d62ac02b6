"""The fast path's reduce side: winners read back from their input files by position."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

from tests import oracles


def _low_open_files_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))


def test_winners_of_more_files_than_the_open_files_limit(tmp_path):
    """Each input file stayed open until the reduce task ended: 300 inputs under a limit
    of 128 descriptors failed with "Too many open files"."""
    records = oracles.versioned_users(count=1200, keys=100_000)  # winners in every file
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(300):
        lines = "".join(json.dumps(r) + "\n" for r in records[i * 4 : (i + 1) * 4])
        (folder / f"u{i:03d}.jsonl").write_text(lines)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mapreduce", "run", "latest_by_key", str(folder), "-o"]
    command += [str(out), "--quiet", "--state-dir", str(tmp_path / "state"), "--workers", "2"]
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=_low_open_files_limit, check=False
    )
    assert done.returncode == 0, done.stderr
    got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(out)}
    assert got == oracles.latest_by_key(records)
