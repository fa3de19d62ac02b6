"""Spill files: map output partitioned by key, in a compact binary form, and reading it back.

A spill file holds one section per partition, then a footer of section offsets:

    [section 0 frames][section 1 frames]...[section R-1 frames][offsets: (R+1) x u64][b"MRSPILL1"]

A frame is a codec byte (b"M" marshal, b"P" pickle), a u32 payload length and the payload:
a list of (key, value) pairs. marshal is the fastest codec for plain JSON-like values;
frames holding anything else (a user class, a BoolKey) fall back to pickle. Spill files
are private to one run on one Python, so marshal's version-specific format is fine.
Sections are read frame by frame, so a reduce task never holds a whole section at once.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from mapreduce.errors import JobError, shown

__all__ = [
    "SpillFile",
    "SpillWriter",
    "read_frames",
    "read_section",
    "read_sections",
    "verify_spill",
    "write_spill",
]

_MAGIC = b"MRSPILL1"
_FRAME = struct.Struct("<cI")
_FRAME_PAIRS = 8192


@dataclass(frozen=True, slots=True)
class SpillFile:
    """A published spill file: where it is, how big, its CRC-32, and pairs per partition."""

    path: str
    size: int
    crc32: int
    pairs: tuple[int, ...]


def _encode_frame(pairs: list[tuple[Any, Any]]) -> bytes:
    try:
        payload = marshal.dumps(pairs)
        codec = b"M"
    except ValueError:
        try:
            payload = pickle.dumps(pairs, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a lock, a generator, a local class: the same every attempt
            raise _unspillable(pairs, exc) from exc
        codec = b"P"
    return _FRAME.pack(codec, len(payload)) + payload


def _unspillable(pairs: list[tuple[Any, Any]], exc: Exception) -> JobError:
    """The job's error for a frame pickle cannot write, naming the first pair it refuses."""
    for key, value in pairs:
        try:
            pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as refused:
            what = f"{type(refused).__name__}: {refused}"
            return JobError(
                f"a pair for key {shown(key, 60)} cannot be written to a spill file ({what}); "
                "keys and values must be picklable: JSON-like values, tuples, sets, "
                "instances of classes defined at a module's top level"
            )
    return JobError(f"pairs cannot be written to a spill file: {type(exc).__name__}: {exc}")


class SpillWriter:
    """Streams sections of (key, value) pairs into a spill file; `close()` publishes it.

    Sections must be written in partition order; pairs go out in frames as they come, so a
    reduce task can stream a long output into the next step without holding it.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._tmp = f"{path}.tmp-{os.getpid()}"
        self._handle: BinaryIO = open(self._tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
        self._crc = 0
        self._offset = 0
        self._offsets: list[int] = []
        self._counts: list[int] = []
        self._pending: list[tuple[Any, Any]] = []

    def _write(self, data: bytes) -> None:
        self._handle.write(data)
        self._crc = zlib.crc32(data, self._crc)
        self._offset += len(data)

    def _flush_frame(self) -> None:
        if self._pending:
            self._write(_encode_frame(self._pending))
            self._pending = []

    def begin_section(self) -> None:
        """Start the next partition's section."""
        self._flush_frame()
        self._offsets.append(self._offset)
        self._counts.append(0)

    def write(self, key: Any, value: Any) -> None:
        """Append one pair to the current section."""
        self._pending.append((key, value))
        self._counts[-1] += 1
        if len(self._pending) >= _FRAME_PAIRS:
            self._flush_frame()

    def write_all(self, pairs: Sequence[tuple[Any, Any]]) -> None:
        """Append many pairs to the current section."""
        self._flush_frame()
        for lo in range(0, len(pairs), _FRAME_PAIRS):
            self._write(_encode_frame(list(pairs[lo : lo + _FRAME_PAIRS])))
        self._counts[-1] += len(pairs)

    def close(self) -> SpillFile:
        """Write the footer, publish the file atomically and describe it."""
        self._flush_frame()
        offsets = [*self._offsets, self._offset]
        self._write(struct.pack(f"<{len(offsets)}Q", *offsets) + _MAGIC)
        self._handle.close()
        os.replace(self._tmp, self.path)
        return SpillFile(self.path, self._offset, self._crc, tuple(self._counts))

    def abort(self) -> None:
        """Drop the unpublished file."""
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._tmp)


def write_spill(path: str, sections: Sequence[Sequence[tuple[Any, Any]]]) -> SpillFile:
    """Write one spill file with a section per partition; publish it atomically at `path`."""
    writer = SpillWriter(path)
    try:
        for pairs in sections:
            writer.begin_section()
            writer.write_all(pairs)
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _section_range(handle: BinaryIO, path: str, partition: int) -> tuple[int, int]:
    size = handle.seek(0, os.SEEK_END)
    handle.seek(size - len(_MAGIC))
    if handle.read(len(_MAGIC)) != _MAGIC:
        raise OSError(f"spill file {path} is truncated or not a spill file")
    # The footer's first offset is 0, so the count of sections follows from the footer size.
    handle.seek(size - len(_MAGIC) - 8)
    (footer_at,) = struct.unpack("<Q", handle.read(8))
    count = (size - len(_MAGIC) - footer_at) // 8
    handle.seek(footer_at)
    offsets = struct.unpack(f"<{count}Q", handle.read(8 * count))
    if not 0 <= partition < count - 1:
        raise OSError(f"spill file {path} has no partition {partition}")
    return offsets[partition], offsets[partition + 1]


def read_frames(path: str, partition: int) -> Iterator[list[tuple[Any, Any]]]:
    """Yield one partition of a spill file frame by frame (lists of pairs), in written order."""
    with open(path, "rb") as handle:
        start, end = _section_range(handle, path, partition)
        handle.seek(start)
        while start < end:
            codec, length = _FRAME.unpack(handle.read(_FRAME.size))
            payload = handle.read(length)
            start += _FRAME.size + length
            yield marshal.loads(payload) if codec == b"M" else pickle.loads(payload)


def read_section(path: str, partition: int) -> Iterator[tuple[Any, Any]]:
    """Yield the (key, value) pairs of one partition of a spill file, in written order."""
    for frame in read_frames(path, partition):
        yield from frame


def read_sections(paths: Iterable[str], partition: int) -> Iterator[tuple[Any, Any]]:
    """Yield one partition's pairs from several spill files, in the order given."""
    for path in paths:
        yield from read_section(path, partition)


def verify_spill(spill: SpillFile) -> bool:
    """True when the file on disk still has the size and CRC-32 recorded when it was written."""
    try:
        if os.path.getsize(spill.path) != spill.size:
            return False
        crc = 0
        with open(spill.path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
    except OSError:
        return False
    return crc == spill.crc32
