"""Files are published, never half-written: write a temporary name in the target folder, rename.

This is the only module that builds output paths.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from datagen.errors import OutputError

__all__ = ["Target", "scratch_dir"]


class Target:
    """An output file being written under a temporary name next to its final path."""

    def __init__(self, path: str | os.PathLike[str], what: str = "output") -> None:
        self.path = Path(path)
        self.what = what
        if self.path.is_dir():
            raise OutputError(
                f"cannot write {what} {str(self.path)!r}: it is a folder; give a file name"
            )
        self.temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.file: BinaryIO | None = None

    def open(self) -> BinaryIO:
        """Create the temporary file; OutputError says why the folder cannot take it."""
        try:
            self.file = open(self.temp, "wb")  # noqa: SIM115 - closed by commit()/abort()
        except OSError as exc:
            raise OutputError(
                f"cannot write {self.what} {str(self.path)!r}: {exc.strerror}; "
                "check that its folder exists and is writable"
            ) from exc
        return self.file

    def commit(self) -> None:
        """Flush and atomically rename the temporary file to the final path."""
        if self.file is not None:
            self.file.close()
        try:
            os.replace(self.temp, self.path)
        except OSError as exc:
            raise OutputError(
                f"cannot publish {self.what} {str(self.path)!r}: {exc.strerror}"
            ) from exc

    def abort(self) -> None:
        """Drop the temporary file; the final path is left as it was."""
        if self.file is not None:
            self.file.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


def scratch_dir(near: str | os.PathLike[str]) -> Path:
    """A private temporary folder beside `near` (same filesystem, for spill files)."""
    parent = Path(near).parent
    try:
        return Path(tempfile.mkdtemp(prefix=".datagen-", dir=parent))
    except OSError as exc:
        raise OutputError(
            f"cannot create a scratch folder in {str(parent)!r}: {exc.strerror}"
        ) from exc
