"""Where a record is, for messages: "line 17" of a byte-range file, "row 17" of Parquet."""

from __future__ import annotations

from typing import BinaryIO

from mapreduce.formats.chunks import CHUNK, open_bytes
from mapreduce.formats.files import InputFile
from mapreduce.formats.registry import format_named

__all__ = ["LineCounter", "describe_position"]


def describe_position(file: InputFile, position: int) -> str:
    """A human location for messages: "line 17" (1-based), or "row 17" for parquet.

    Counts the newlines before `position`, so it reads the file's prefix: call it on errors.
    """
    with LineCounter(file) as lines:
        return lines.describe(position)


class LineCounter:
    """Locations of increasing positions in one file, reading each byte at most once.

    A task logging many bad records asks for the line of each; counting from the start of
    the file every time would read it again per record.
    """

    def __init__(self, file: InputFile) -> None:
        self.file = file
        self._format = format_named(file.format)
        self._handle: BinaryIO | None = None
        self._position = 0
        self._newlines = 0

    def describe(self, position: int) -> str:
        """ "line N" of the record starting at byte `position` ("row N" for parquet)."""
        if self._format.row_groups:
            return self._format.describe(position, 0)
        if self._handle is None or position < self._position:
            self.close()
            self._handle = open_bytes(self.file)
            self._position = self._newlines = 0
        while self._position < position:
            data = self._handle.read(min(CHUNK, position - self._position))
            if not data:
                break
            self._newlines += data.count(b"\n")
            self._position += len(data)
        return self._format.describe(position, self._newlines + 1)

    def close(self) -> None:
        """Close the file, if one is open."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> LineCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
