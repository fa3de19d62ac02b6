"""Run a command as a user whom file permissions bind, even when the tests run as root.

Root reads a mode-000 folder and writes a read-only one (CAP_DAC_OVERRIDE), so tests of
unreadable inputs and unwritable state dirs would pass vacuously. As root, the child drops
those two capabilities before it starts: it stays root (owning the same files) but is
refused like anyone else. As another user nothing needs dropping.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_PR_CAPBSET_DROP = 24
_FILE_OVERRIDES = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


def _drop_file_overrides() -> None:  # runs in the child, between fork and exec
    # Dropped from the bounding set, they are not regained when root execs the command.
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _FILE_OVERRIDES:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_bound(args: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run `args` (a list, not a shell line) bound by file permissions; text output."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    preexec = _drop_file_overrides if os.geteuid() == 0 else None
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        list(args),
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=preexec,
        timeout=120,
        **kwargs,
    )


def mapreduce_bound(
    *args: str, cwd: str | os.PathLike[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m mapreduce ARGS --quiet`, bound by file permissions."""
    return run_bound([sys.executable, "-m", "mapreduce", *args, "--quiet"], cwd=cwd)
