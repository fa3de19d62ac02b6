"""Row files: the rows a SQLite stage decoded, kept beside the part file for apply.

SQLite has one writer, so everything apply does is serial; decoding NDJSON and parsing
timestamps is most of a load's work. `stage_partition` does it in the workers, in parallel,
and writes the rows with marshal (C speed both ways, and the file never outlives one run on
one interpreter) to `<part file>.rows`, published with a temporary name and `os.replace`.
Apply reads a row file only if it names the part file's current size and mtime; otherwise
it decodes the part file itself, so a stale or missing row file costs time, never rows.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

__all__ = ["SUFFIX", "RowWriter", "read_rows", "remove_rows"]

SUFFIX = ".rows"
_FORMAT = 1


def _frame(file: Any, value: Any) -> None:
    """Write one length-prefixed marshal frame (marshal.load on a file reads in tiny
    pieces; one read and marshal.loads is many times faster)."""
    data = marshal.dumps(value)
    file.write(len(data).to_bytes(8, "little"))
    file.write(data)


def _unframe(file: Any) -> Any:
    """Read one frame; a short read (a damaged file) is an error, never a partial batch."""
    size = int.from_bytes(file.read(8), "little")
    data = file.read(size)
    if len(data) != size:
        raise EOFError(f"row file {file.name} is truncated")
    return marshal.loads(data)


def _stamp(part: str) -> tuple[int, int]:
    info = os.stat(part)
    return info.st_size, info.st_mtime_ns


class RowWriter:
    """Writes one part file's row batches; `publish` makes the row file visible."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.temp = f"{part}{SUFFIX}.{os.getpid()}.tmp"
        self.file = open(self.temp, "wb")  # noqa: SIM115 - closed in publish/abandon
        _frame(self.file, (_FORMAT, *_stamp(part)))

    def write(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """One batch; `columns` are its field names (the instant columns follow them)."""
        _frame(self.file, (columns, rows))

    def publish(self) -> None:
        """Close the file and give it its final name: a row file is whole or absent."""
        _frame(self.file, None)
        self.file.close()
        os.replace(self.temp, self.part + SUFFIX)

    def abandon(self) -> None:
        """Drop the unfinished file (the stage failed)."""
        self.file.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.temp)


def read_rows(part: str, columns: Sequence[str],
              tail: int) -> Iterator[list[tuple[Any, ...]]] | None:
    """Row batches of `part` in `columns` order (then `tail` instant values), or None.

    None when there is no row file, or it is stale (the part file changed since staging).
    """
    try:
        file = open(part + SUFFIX, "rb")  # noqa: SIM115 - closed by _batches
    except FileNotFoundError:
        return None
    if _unframe(file) != (_FORMAT, *_stamp(part)):
        file.close()
        return None
    return _batches(file, columns, tail)


def _batches(file: Any, columns: Sequence[str], tail: int) -> Iterator[list[tuple[Any, ...]]]:
    """Stream the batches of an open row file, remapped to `columns`."""
    with file:
        while (item := _unframe(file)) is not None:
            found, rows = item
            yield _remap(rows, found, columns, tail)


def _remap(rows: list[tuple[Any, ...]], found: list[str], columns: Sequence[str],
           tail: int) -> list[tuple[Any, ...]]:
    """Rows whose fields are `found` (+ tail), reordered to `columns` (+ tail), None-filled."""
    if list(columns) == found:
        return rows
    width = len(found) + tail
    where = {name: i for i, name in enumerate(found)}
    order = [where.get(name, width) for name in columns] + list(range(len(found), width))
    getter = itemgetter(*order)
    return [getter((*row, None)) for row in rows]


def remove_rows(parts: Sequence[str]) -> None:
    """Delete the row files of these part files (after the load committed)."""
    for part in parts:
        with contextlib.suppress(FileNotFoundError):
            os.remove(part + SUFFIX)
