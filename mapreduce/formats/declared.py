"""Declared fields, decoded natively: a split's records as blocks of columns (a `Batch`).

A job that declares the fields its map reads (`Job.fields` / `declared_fields()`) and
defines `map_batch` gets its input here, a block of whole lines at a time:

- NDJSON: msgspec's `Decoder(Struct of the declared fields).decode_lines` over the block,
  which skips every other field in native code;
- text: the block's bytes (every line a record), for jobs that tokenise in bulk;
- CSV: every column as text, cut at commas and line breaks with numpy when every line is
  as wide as the header, else pyarrow.csv (formats.declared_csv).

Same answers as the row reader (formats.ndjson, formats.text) or no batch at all: a block
whose bytes the row reader would read differently gets None and takes the row path, which
then reports its bad records exactly as always. msgspec checks JSON syntax everywhere but
does not look inside the values it skips, so a block is refused when it is not valid
UTF-8 or holds a number the row reader may refuse (beyond a float's range, thousands of
digits), and when its lines are not one `{...}` object each (blank lines, values across
lines, two on one line).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Hashable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from operator import attrgetter
from typing import Any, BinaryIO, Protocol

import msgspec
import numpy as np
import pyarrow as pa

from mapreduce.errors import InputError
from mapreduce.formats.chunks import BOM, is_utf8, lines_from, open_bytes, read_full, stop_of
from mapreduce.formats.files import Split
from mapreduce.formats.isotime import Instants, column_instants, text_instants

__all__ = ["BLOCK", "Batch", "BatchReader", "NdjsonBatches", "TextBatches", "line_blocks"]

BLOCK = 8 << 20  # bytes of whole lines per batch: large enough to amortise, small to stay in cache
TEXT_BLOCK = 2 << 20
_WINDOW = 1 << 16  # bytes looked at for the line break that ends a block
# A number a JSON reader refuses overflows a float: it needs a 3-digit exponent or a run of
# hundreds of digits. A block is refused when it holds a digit, "e" or "E", an optional "+"
# and 3 digits, or a run of 200 digits (both read fine up to 1e308 and 309 digits, so this is
# conservative: such a block takes the row path, which reports what it refuses).
_ALL_DIGITS = 0x0101010101010101  # 8 digit flags read as one little- or big-endian word
_RUN_WORDS = 24  # a run of 200 digits covers at least 24 whole aligned 8-byte words
_DIGIT_RUN = re.compile(rb"[0-9]{200}")
_EXPONENT = re.compile(rb"[0-9][eE]\+?[0-9]{3}")
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


class Batch:
    """One block of a split's records as columns: what `Job.map_batch` receives.

    `batch[name]` is a declared field's column (a list of decoded values), `data` the
    block's bytes, `positions` the records' input positions (the tie rule's order), and
    `keys` / `instants` turn a column into native arrays, or None when it cannot be.
    """

    def __init__(
        self,
        fmt: str,
        data: bytes,
        base: int,
        rows: int,
        columns: Mapping[str, Any] | None = None,
        starts: np.ndarray | None = None,
    ) -> None:
        self.format = fmt
        self.data = data
        self.base = base  # position of the block's first byte (file index << OFFSET_BITS | offset)
        self.rows = rows
        self.columns = dict(columns or {})
        self._starts = starts
        # A batch of several packed files' bytes end to end: where each one's bytes start
        # in `data`, and its first byte's position (set by the map task that joins them)
        self.files: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]

    @property
    def starts(self) -> np.ndarray:
        """Offsets of the records within the block (int64)."""
        if self._starts is None:
            self._starts = _line_starts(np.frombuffer(self.data, np.uint8), len(self.data))
        return self._starts

    @property
    def lengths(self) -> np.ndarray:
        """Bytes of each record as read, its line ending included (int64)."""
        return np.diff(self.starts, append=np.int64(len(self.data)))

    @property
    def positions(self) -> np.ndarray:
        """The records' input positions, as the row path numbers them (int64)."""
        if self.files is None:
            return self.starts + self.base
        offsets, bases = self.files
        which = np.searchsorted(offsets, self.starts, "right") - 1
        return self.starts + (bases - offsets)[which]

    def keys(self, name: str) -> np.ndarray | pa.Array | None:
        """The column as int64 numpy keys or Arrow string keys; None for other key types
        (bool, float, null, beyond 64 bits, mixed), which the row path canonicalises, and
        for a block without the column (lines of text have none)."""
        values = self.columns.get(name)
        if values is None:
            return None
        if isinstance(values, pa.Array):
            return values if pa.types.is_string(values.type) and not values.null_count else None
        try:
            keys = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return None
        if keys.null_count:
            return None
        if keys.type == pa.int64():
            return keys.to_numpy()
        return keys if keys.type == pa.string() else None

    def instants(self, name: str, unit: str = "s") -> Instants | None:
        """The column as exact instants (seconds, nanos), as `parse_instant` reads each
        value; None when a value is not a timestamp or the block has no such column (the
        row path reports it)."""
        values = self.columns.get(name)
        if values is None:
            return None
        if isinstance(values, pa.Array):
            return text_instants(values, unit)
        return column_instants(values, unit)


def line_blocks(split: Split, size: int = BLOCK) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the split's own lines in blocks of about `size` whole lines.

    The boundary rule of formats.chunks: the first line starting at or after the split's
    start, up to the last line starting before its end (read to its end). Each block's
    end is found first (the line break at or after `size` bytes), then the block is read
    with one pread: one copy, and none of the page faults that slicing a mapping of the
    file costs (half the time of 8 MB slices). A compressed file (one split) is read as
    its decompressed stream, offsets in it.
    """
    if split.file.compressed:
        yield from _stream_blocks(split, size)
        return
    with lines_from(split.file, split.start, stop_of(split)) as (f, pos, stop):
        fd = f.fileno()  # type: ignore[attr-defined]
        length = os.fstat(fd).st_size
        while pos < min(stop, length):
            end = _line_end(fd, min(pos + size, stop) - 1, length)
            data = os.pread(fd, end - pos, pos)
            if len(data) != end - pos:
                msg = f"{split.file.path} byte {pos}: the file shrank while it was read; rerun"
                raise InputError(msg + " once it is written in full")
            yield pos, data
            pos = end


def _stream_blocks(split: Split, size: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of a compressed file's whole lines, about `size` bytes a block, its
    BOM left out (as lines_from leaves it), the next block decompressed meanwhile."""
    with open_bytes(split.file) as f, ThreadPoolExecutor(1) as ahead:
        pos, carry = 0, b""
        for data in _read_ahead(f, size, ahead):
            if not pos and not carry and data.startswith(BOM):
                pos, data = len(BOM), data[len(BOM) :]
            data = carry + data if carry else data
            cut = data.rfind(b"\n") + 1
            if cut:
                yield pos, data[:cut] if cut < len(data) else data
                pos, carry = pos + cut, data[cut:]
            else:
                carry = data
        if carry:
            yield pos, carry


def _read_ahead(f: BinaryIO, size: int, ahead: ThreadPoolExecutor) -> Iterator[bytes]:
    """A stream's bytes `size` at a time, the next piece decompressed in a thread while
    the caller decodes this one (zlib, bz2, lzma and zstd release the GIL)."""
    pending = ahead.submit(read_full, f, size)
    while data := pending.result():
        pending = ahead.submit(read_full, f, size)
        yield data


def _line_end(fd: int, at: int, length: int) -> int:
    """The offset just past the first line break at or after byte `at` (or the file's end)."""
    while at < length:
        window = os.pread(fd, _WINDOW, at)
        newline = window.find(b"\n")
        if newline >= 0:
            return at + newline + 1
        if not window:
            break
        at += len(window)
    return length


class BatchReader(Protocol):
    """Reads one split as blocks, and a block as a Batch (None: the row path reads it)."""

    def blocks(self, split: Split) -> Iterator[tuple[int, bytes]]:
        """(offset, bytes) of the split's blocks of whole records, in order."""

    def __call__(self, split: Split, offset: int, data: bytes) -> Batch | None:
        """The block's Batch, or None when the row path must read it."""

    @property
    def source(self) -> tuple[str, list[str] | None, str]:
        """How a record is read back from its bytes: the format, and a CSV header."""

    @property
    def shared(self) -> bool:
        """Whether one reader serves every file of its format (it keeps nothing of one
        file, such as a CSV header)."""

    @property
    def join_key(self) -> Hashable | None:
        """Readers with equal keys read each other's whole files end to end in one batch
        (text, NDJSON; CSV files of one header); None: never."""

    @property
    def size(self) -> int:
        """Bytes of a block."""

    def body(self, offset: int, data: bytes) -> tuple[int, bytes]:
        """The records of a whole file's one block, and where they start (a CSV file's
        header left out)."""


class TextBatches:
    """Text blocks: the bytes of whole lines, every line a record. Smaller than BLOCK:
    tokenising holds several times a block's bytes at once (lowered text, words and their
    offsets), and at 2 MB a word count ran faster and at half the memory of 8 MB."""

    source = ("text", None, ",")
    shared = True
    join_key = "text"
    size = TEXT_BLOCK

    @staticmethod
    def body(offset: int, data: bytes) -> tuple[int, bytes]:
        """Every line is a record."""
        return offset, data

    def blocks(self, split: Split) -> Iterator[tuple[int, bytes]]:
        """(offset, bytes) of the split's blocks of whole lines."""
        return line_blocks(split, TEXT_BLOCK)

    def __call__(self, split: Split, offset: int, data: bytes) -> Batch:
        rows = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        return Batch("text", data, split.file.base + offset, rows)


class NdjsonBatches:
    """Decodes NDJSON blocks into the declared fields' columns with one msgspec Struct."""

    source = ("ndjson", None, ",")
    shared = True
    join_key = "ndjson"
    size = BLOCK
    blocks = staticmethod(line_blocks)

    @staticmethod
    def body(offset: int, data: bytes) -> tuple[int, bytes]:
        """Every line is a record."""
        return offset, data

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.names = list(fields)
        attrs = [f"f{i}" for i in range(len(self.names))]  # field names need not be identifiers
        struct = msgspec.defstruct(
            "Declared",
            list(zip(attrs, fields.values(), strict=True)),
            rename=dict(zip(attrs, self.names, strict=True)),
        )
        self.decoder = msgspec.json.Decoder(struct)
        self.scratch = np.empty(0, bool)
        self.checks = _Scratch()
        self.getters = [attrgetter(attr) for attr in attrs]

    def __call__(self, split: Split, offset: int, data: bytes) -> Batch | None:
        if not _readable_as_orjson(data, self.checks):
            return None
        array = np.frombuffer(data, np.uint8)
        if len(self.scratch) < len(data):
            self.scratch = np.empty(len(data), bool)
        starts = _line_starts(array, len(data), self.scratch)
        if not _one_object_per_line(array, starts, len(data)):
            return None
        try:
            records = self.decoder.decode_lines(data)
        except _DECODE_ERRORS:
            return None
        if len(records) != len(starts):
            return None
        columns = {
            name: list(map(get, records))
            for name, get in zip(self.names, self.getters, strict=True)
        }
        base = split.file.base + offset
        return Batch("ndjson", data, base, len(records), columns, starts)


def _line_starts(array: np.ndarray, size: int, scratch: np.ndarray | None = None) -> np.ndarray:
    """Offsets of the lines in a block; `scratch` (bools, at least `size`) saves an
    allocation per block."""
    if scratch is None or len(scratch) < size:
        scratch = np.empty(size, bool)
    ends = np.flatnonzero(np.equal(array, 10, out=scratch[:size]))
    starts = np.empty(len(ends) + (0 if size and array[-1] == 10 else 1), np.int64)
    if len(starts):
        starts[0] = 0
        starts[1:] = ends[: len(starts) - 1] + 1
    return starts


def _one_object_per_line(array: np.ndarray, starts: np.ndarray, size: int) -> bool:
    """Every line is `{` ... `}` (then "\\n" or "\\r\\n"): with JSON's grammar, a line
    break between `}` and `{` can only separate two top-level values, so no value spans
    lines, and with as many values as lines each line holds exactly one."""
    if not len(starts) or not (array[starts] == 123).all():
        return False
    last = np.append(starts[1:], size) - 1  # each line's last byte
    content = last - (array[last] == 10)
    content -= array[content] == 13
    return bool((array[content] == 125).all())


_SLICE = 1 << 19  # bytes checked at a time: every pass over a slice stays in the core's cache
_OVERLAP = 256  # each slice also reads this much of the next: a pattern ends in one slice


class _Scratch:
    """Buffers `_readable_as_orjson` reuses from slice to slice and block to block."""

    def __init__(self) -> None:
        size = _SLICE + _OVERLAP
        self.shifted = np.empty(size, np.uint8)
        self.digits = np.zeros(size + 8, bool)  # a whole number of 8-byte words, and one more
        self.flags = np.empty(size, bool)
        self.words = np.empty((size + 8) // 8, bool)


def _readable_as_orjson(data: bytes, scratch: _Scratch | None = None) -> bool:
    """No bytes the row reader may refuse in a value msgspec skips: invalid UTF-8, or a
    number that overflows a float (see `_RUN_WORDS`). (Syntax msgspec checks.)

    A few numpy passes over each half-megabyte slice of the block, in cache: 2-3x the
    speed of mapping every byte through bytes.translate and searching the result."""
    if not is_utf8(data):
        return False
    scratch = scratch or _Scratch()
    array = np.frombuffer(data, np.uint8)
    for start in range(0, len(data), _SLICE):
        if not _no_overflow(array[start : start + _SLICE + _OVERLAP], scratch):
            # a candidate: the exact answer for the whole block (rare; such blocks are slow anyway)
            return _DIGIT_RUN.search(data) is None and _EXPONENT.search(data) is None
    return True


def _no_overflow(array: np.ndarray, scratch: _Scratch) -> bool:
    """Whether a slice (starting on an 8-byte boundary of the block) holds neither a
    3-digit exponent nor 24 whole digit words in a row (which may be a 200-digit run: the
    caller then searches exactly)."""
    size = len(array)
    padded = size // 8 * 8 + 8
    shifted, flags, digits = scratch.shifted[:size], scratch.flags[:size], scratch.digits[:padded]
    np.subtract(array, 48, out=shifted)  # digits become 0-9, every other byte 10-255
    np.less(shifted, 10, out=digits[:size])
    digits[size:] = False
    words = np.equal(digits.view(np.uint64), _ALL_DIGITS, out=scratch.words[: padded // 8])
    whole = np.flatnonzero(words)
    span = _RUN_WORDS - 1
    if len(whole) > span and (whole[span:] - whole[:-span] == span).any():
        return False
    np.bitwise_or(array, 0x20, out=shifted)  # "E" reads as "e"
    np.equal(shifted, ord("e"), out=flags)
    np.logical_and(flags[1:], digits[: size - 1], out=flags[1:])  # an "e" after a digit
    hits = np.flatnonzero(flags[1:]) + 1
    if not len(hits):
        return True
    last = padded - 1  # the padding reads as "not a digit"
    start = hits + 1 + (array[np.minimum(hits + 1, size - 1)] == ord("+"))
    three = digits[np.minimum(start, last)]
    three &= digits[np.minimum(start + 1, last)]
    three &= digits[np.minimum(start + 2, last)]
    return not three.any()


def word_offsets(data: bytes, word: bytes) -> np.ndarray:
    """The offsets where a 2- or 4-byte `word` occurs in `data`, overlaps included: the
    data read as uint16s or uint32s at each alignment and compared with the word at once,
    where a substring search stops at every byte that could start it."""
    dtype = {2: np.uint16, 4: np.uint32}[len(word)]
    target = int.from_bytes(word, sys.byteorder)
    found = []
    for align in range(min(len(word), len(data))):
        count = (len(data) - align) // len(word)
        words = np.frombuffer(data, dtype, count=count, offset=align)
        found.append(np.flatnonzero(words == target) * len(word) + align)
    return np.sort(np.concatenate(found)) if found else np.empty(0, np.int64)
