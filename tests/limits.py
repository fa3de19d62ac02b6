"""Real write failures for tests: a file-size limit in a child process, and a tiny tmpfs.

Both tools promise one sentence, exit 2 and no partial file when a disk fills; these make
the failure happen for real instead of mocking it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

__all__ = ["CAN_MOUNT", "file_size_limit", "tiny_filesystem"]

CAN_MOUNT = sys.platform == "linux" and os.geteuid() == 0 and shutil.which("mount") is not None
"""Whether `tiny_filesystem` can be tried (it still skips if the mount is refused)."""


def file_size_limit(limit: int) -> Callable[[], None]:
    """A `preexec_fn` capping every file the child writes at `limit` bytes (EFBIG beyond)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@contextlib.contextmanager
def tiny_filesystem(size: str, prefix: str) -> Iterator[Path]:
    """A freshly mounted tmpfs of `size` (e.g. "64k"), unmounted afterwards; skips the test
    where mounting is not allowed."""
    where = Path("/tmp") / f"{prefix}-{uuid.uuid4().hex[:8]}"
    where.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            pytest.skip("cannot mount a tiny tmpfs here (needs root and CAP_SYS_ADMIN)")
        try:
            yield where
        finally:
            subprocess.run(["umount", str(where)], check=False)
    finally:
        with contextlib.suppress(OSError):
            where.rmdir()
