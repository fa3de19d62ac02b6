"""Files are published, never half-written: write a temporary name in the target folder, rename.

This is the only module that builds output paths. Without `overwrite`, an existing file is
never replaced: the check runs before any work, and publishing links the temporary file to
its final name (which fails if a file appeared meanwhile) instead of renaming over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from datagen.errors import OutputError

__all__ = ["Target", "scratch_dir", "write_error"]


def write_error(what: str, path: str | os.PathLike[str], exc: OSError) -> OutputError:
    """The one sentence for a failed write (a full disk, a file-size limit, an I/O error)."""
    reason = exc.strerror or str(exc)
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    hint = "; free some space or write elsewhere" if full else ""
    return OutputError(f"cannot write {what} {str(path)!r}: {reason}{hint}")


class Target:
    """An output file being written under a temporary name next to its final path."""

    def __init__(
        self, path: str | os.PathLike[str], what: str = "output", *, overwrite: bool = True
    ) -> None:
        self.path = Path(path)
        self.what = what
        self.overwrite = overwrite
        if self.path.is_dir():
            raise OutputError(
                f"cannot write {what} {str(self.path)!r}: it is a folder; give a file name"
            )
        self._refuse_existing()
        self.temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.file: BinaryIO | None = None

    def _refuse_existing(self) -> None:
        if not self.overwrite and os.path.lexists(self.path):
            raise OutputError(
                f"{self.what} {str(self.path)!r} already exists; pass --overwrite "
                "(overwrite=True in Python) to replace it"
            )

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

    def close(self) -> None:
        """Flush and close the temporary file (a full disk shows here at the latest)."""
        if self.file is not None and not self.file.closed:
            try:
                self.file.close()
            except OSError as exc:
                raise write_error(self.what, self.path, exc) from exc

    def commit(self) -> None:
        """Flush and atomically move the temporary file to the final path."""
        self.close()
        try:
            if self.overwrite:
                os.replace(self.temp, self.path)
            else:
                self._publish_new()
        except OSError as exc:
            raise OutputError(
                f"cannot publish {self.what} {str(self.path)!r}: {exc.strerror}"
            ) from exc

    def _publish_new(self) -> None:
        """Give the temporary file its final name only if that name is still free."""
        try:
            os.link(self.temp, self.path)
        except FileExistsError:
            self._refuse_existing()
            raise
        except OSError:  # a filesystem without hard links: check, then rename
            self._refuse_existing()
            os.replace(self.temp, self.path)
            return
        os.unlink(self.temp)

    def abort(self) -> None:
        """Drop the temporary file; the final path is left as it was."""
        if self.file is not None:
            with contextlib.suppress(OSError):  # a full disk fails the flush too
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
