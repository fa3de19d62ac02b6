"""The bytes one split reads: its own byte range in chunks, then just enough past its end.

The boundary rule (formats.files.Split) says a split reads past its end only to finish its last
record, so readers read their range sequentially and stop at the first record they do not
own, or take it in CHUNK-sized pieces and ask for more on demand.
A compressed file (.gz, .bz2, .xz, .zst) is one split whose decompressed stream is read
the same way, so memory stays flat however large the file is.

Lines end at b"\\n"; a record's position is the offset of its first byte (in the
decompressed stream for a compressed file).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from mapreduce.errors import InputError
from mapreduce.formats.files import MAX_OFFSET, InputFile, Split

__all__ = [
    "BOM",
    "CHUNK",
    "CODECS",
    "READ_METER_ENV",
    "Decompressed",
    "chunks_of",
    "codec_of",
    "first_read",
    "held_block",
    "is_utf8",
    "lines_from",
    "metered_bytes",
    "open_bytes",
    "read_full",
    "stop_of",
]

# 1 MiB reads: measured faster than one 64 MiB read, whose lines are cold in the cache by
# the time they are parsed, and than the default 8 KiB buffer (benchmarks/bench_readers.py).
CHUNK = 1 << 20
TAIL = 64 << 10  # reads past a split's end usually finish one record
BOM = b"\xef\xbb\xbf"
READ_METER_ENV = "MAPREDUCE_READ_METER"
METER_STEP = 1 << 20  # compressed bytes between two reports (a rename each: cheap)
CODECS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}  # extension -> codec
# A block of a compressed input's whole lines that a map task holds decompressed already
# (its file, its offset, its bytes): see held_block
_HELD: ContextVar[tuple[InputFile, int, bytes] | None] = ContextVar("held_block", default=None)


def open_bytes(file: InputFile) -> BinaryIO:
    """Open a listed input for binary reading with a CHUNK buffer, decompressing a .gz,
    .bz2, .xz or .zst file."""
    if file.compressed:
        folder = os.environ.get(READ_METER_ENV)
        meter = folder if folder and os.path.isdir(folder) else None
        return Decompressed(file.path, file.codec, meter)  # type: ignore[return-value]
    return open(file.path, "rb", buffering=CHUNK)


def codec_of(path: str) -> str:
    """The codec a file name's last extension names (CODECS), or "" for none."""
    return CODECS.get(os.path.splitext(path.lower())[1], "")


def _decompressor(codec: str, raw: BinaryIO) -> BinaryIO:
    """A reader of `raw`'s decompressed bytes: the standard library's for gzip, bz2 and
    xz, pyarrow's for zstd (the standard library has none before Python 3.14)."""
    if codec == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if codec == "bz2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if codec == "xz":
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    import pyarrow as pa  # only a .zst input pays for the import here

    return pa.CompressedInputStream(pa.PythonFile(raw, mode="r"), "zstd")  # type: ignore[return-value]


class Decompressed(io.RawIOBase):
    """A compressed input's decompressed stream, read as one split.

    Seeks as GzipFile does: forward by reading on, backward by starting over (a JSON
    array's reader looks back a few bytes). Stops with an InputError at 1 TiB
    (MAX_OFFSET), since its records' positions must stay below it, and turns a corrupt or
    truncated stream into an InputError naming the file and the offset. With a `meter`
    folder it keeps there, in a file of its own, how many compressed bytes it has read
    (every METER_STEP, published by rename so a reader never sees half a number); the
    file goes when the input is closed.
    """

    def __init__(self, path: str, codec: str, meter: str | None = None) -> None:
        super().__init__()
        self.name, self.codec = path, codec
        self._meter = os.path.join(meter, f"{os.getpid()}-{id(self)}") if meter else None
        self._reported = 0
        self._open()

    def _open(self) -> None:
        self._raw: BinaryIO = open(self.name, "rb")  # noqa: SIM115 - closed by close()
        self._inner = _decompressor(self.codec, self._raw)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        try:
            # pyarrow's streams read all with no size, and refuse -1
            data = self._inner.read() if size is None or size < 0 else self._inner.read(size)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            msg = (
                f"input {self.name}: the {self.codec} stream is corrupt or truncated: "
                f"reading on from decompressed byte {self._pos:,} failed ({exc})"
            )
            raise InputError(msg) from exc
        self._pos += len(data)
        if self._pos > MAX_OFFSET:
            msg = f"input {self.name} decompresses to more than 1 TiB; split it into smaller files"
            raise InputError(msg)
        if self._meter is not None and (done := self._raw.tell()) - self._reported >= METER_STEP:
            self._report(done)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("a compressed input seeks from its start only")
        if offset < self._pos:
            self._close_streams()
            self._open()
        while self._pos < offset and self.read(min(CHUNK, offset - self._pos)):
            pass
        return self._pos

    def close(self) -> None:
        if not self.closed:
            try:
                self._close_streams()
            finally:
                if self._meter is not None:
                    with contextlib.suppress(OSError):
                        os.remove(self._meter)
        super().close()

    def _close_streams(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()

    def _report(self, done: int) -> None:
        assert self._meter is not None
        tmp = f"{self._meter}.tmp"
        with contextlib.suppress(OSError):  # a progress report must never fail the read
            with open(tmp, "w", encoding="ascii") as f:
                f.write(str(done))
            os.replace(tmp, self._meter)
        self._reported = done


def metered_bytes(folder: str) -> int:
    """The compressed bytes that the compressed inputs still open in `folder`'s readers
    have read."""
    total = 0
    with contextlib.suppress(OSError, ValueError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".tmp"):
                continue
            if not _alive(int(entry.name.split("-")[0])):  # a worker killed mid-read
                os.remove(entry.path)
                continue
            with contextlib.suppress(OSError, ValueError):
                total += int(Path(entry.path).read_text(encoding="ascii") or 0)
    return total


def _alive(pid: int) -> bool:
    """Whether process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_of(split: Split) -> int:
    """The first offset a split does not own: its end, or no limit for a whole compressed stream."""
    return sys.maxsize if split.file.compressed else split.end


def first_read(file: InputFile, offset: int, stop: int) -> int:
    """How many bytes from `offset` to read in the first go: up to the split's end, or one
    chunk of a compressed stream."""
    return CHUNK if file.compressed else stop - offset


def chunks_of(f: BinaryIO, offset: int, size: int) -> Iterator[bytes]:
    """Yield the file's bytes from `offset` to EOF: the first `size` bytes in CHUNK reads, so
    that one chunk ends exactly at offset + size, then reads growing from TAIL to CHUNK.
    The caller has the file open (and may seek between chunks)."""
    step = CHUNK
    while True:
        f.seek(offset)
        data = f.read(min(step, size) if size > 0 else step)
        if not data:
            return
        offset += len(data)
        if size > 0:
            size -= len(data)
            step = CHUNK if size > 0 else TAIL
        else:
            step = min(2 * step, CHUNK)
        yield data


@contextmanager
def held_block(file: InputFile, offset: int, data: bytes) -> Iterator[None]:
    """While open, `lines_from(file, offset, ...)` reads `data`, whole lines of the
    decompressed stream from `offset`, instead of decompressing the stream again up to
    them: the row path reads a block the fast path declined from memory. (A stream cannot
    seek, so reading one block's range from the file would cost the whole prefix.)"""
    token = _HELD.set((file, offset, data))
    try:
        yield
    finally:
        _HELD.reset(token)


@contextmanager
def lines_from(
    file: InputFile, start: int, stop: int, *, partial: bool = False
) -> Iterator[tuple[Iterable[bytes], int, int]]:
    """The lines (with their b"\\n") from the first line that starts at or after `start`,
    that line's offset, and the offset where the split's own lines end (usually `stop`).
    Readers stop at the first line they do not own.

    A split that does not start at byte 0 reads from start - 1 and skips to the first
    b"\\n": the line starting at `start` is its own only if byte start - 1 ends the one
    before. With `partial`, that first piece (from start - 1) comes first instead. A UTF-8
    BOM is skipped, so the first line starts at byte 3, yet it still belongs to the split
    holding byte 0: no other line can start before byte 4. A held block (held_block) that
    starts at `start` is read from memory, its line break before first with `partial`.
    """
    held = _HELD.get()
    if held is not None and held[0] == file and held[1] == start:
        block = io.BytesIO(held[2])
        end = start + len(held[2])
        if partial and start:  # a block starts after a line break
            yield chain([b"\n"], block), start - 1, end
        else:
            yield block, start, end
        return
    with open_bytes(file) as f:
        if file.compressed:  # one split from byte 0, cut into lines here, in blocks
            head = f.read(3)
            pos = 3 if head == BOM else 0
            yield chain.from_iterable(_line_blocks(f, head[pos:])), pos, stop
        elif start:
            f.seek(start - 1)
            pos = start - 1 if partial else start - 1 + len(f.readline())
            yield f, pos, stop
        else:
            pos = 3 if f.read(3) == BOM else 0
            f.seek(pos)
            yield f, pos, max(stop, 4) if pos else stop


def _line_blocks(f: BinaryIO, head: bytes) -> Iterator[io.BytesIO]:
    """Whole lines of a stream in CHUNK-sized blocks, each iterable line by line in C."""
    carry = head
    while data := f.read(CHUNK):
        cut = data.rfind(b"\n") + 1
        if cut:
            yield io.BytesIO(carry + data[:cut])
            carry = data[cut:]
        else:
            carry += data
    if carry:
        yield io.BytesIO(carry)


def read_full(f: BinaryIO | io.RawIOBase, size: int) -> bytes:
    """`size` bytes of a stream, fewer only at its end (a decompressor may return less)."""
    data = f.read(size)
    if len(data) >= size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size and (more := f.read(size - got)):
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (ASCII is checked first, at memory speed)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
