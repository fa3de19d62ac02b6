"""JSON arrays (`[{...}, {...}]`, compact or pretty-printed): the reader for one split.

Each element is parsed on its own by msgspec (ints of any size stay exact). Element ends
are found fastest first:
1. the separator learned from the previous element (say b"},\\n  {"), found with bytes.find
   and accepted only if it parses as one value: a valid value that starts where an
   element starts ends where that element ends, so a false candidate cannot pass;
2. jsonscan.element_pattern, a regex (values nested a few levels, strings handled);
3. jsonscan.scan, token by token, for anything deeper or malformed.
All three follow jsonscan's rules, so element boundaries do not depend on the split layout.
The first non-blank byte of the file must be '['; after the closing ']' only whitespace (or
another array) may follow. Other content is reported once, at its first byte.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from mapreduce.formats.chunks import BOM, chunks_of, first_read, open_bytes, stop_of
from mapreduce.formats.files import Split
from mapreduce.formats.jsonscan import (
    ESCAPED,
    INSIDE,
    OUT_ESCAPED,
    WHITESPACE,
    element_pattern,
    scan,
    skip_string,
)
from mapreduce.formats.ndjson import DECODE, DecodeError, json_reason

__all__ = ["read"]

# What comes next: ("open" | "comma", cursor), ("closed", offset after the top-level ']',
# True when that offset is the split's start, past some of the blanks after the ']'),
# or ("scan", offset, depth) to walk tokens from; None when the split has nothing more.
Where = tuple[str, int, Any] | None
_FIND_LIMIT = 1 << 20  # longer elements skip the separator shortcut
_ENDS, _STARTS = b'}]"', b'{["'
_WS = b" \t\r\n"
_NOTHING = object()  # element() found no value to yield


def read(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """Yield (position, element) for the elements whose first byte is in the split."""
    return _Reader(split, on_bad).records()


class _Reader:
    """One split's walk: a window of bytes grown on demand and a cursor moving through it."""

    def __init__(self, split: Split, on_bad: Callable[[int, str], None]) -> None:
        self.split, self.on_bad, self.stop = split, on_bad, stop_of(split)
        self.last = split.file.compressed or split.end >= split.file.size
        self.buf, self.base, self.eof = b"", split.start, False
        self.separator = b""
        self.open_at = -1  # offset of the first element start after a '[', if any

    def records(self) -> Iterator[tuple[int, Any]]:
        """The element loop: the learned-separator shortcut inline, the rest in methods.

        This is the only generator, so each record costs one generator step.
        """
        loads, error = DECODE, DecodeError
        with open_bytes(self.split.file) as self.f:
            i = self.next_element(self.begin()) if self.open() else -1
            while i >= 0:
                buf, base, separator = self.buf, self.base, self.separator
                limit = self.stop - base
                if separator and i < limit and buf[i] == separator[-1]:
                    find, width = buf.find, len(separator) - 1
                    while i < limit and (j := find(separator, i, i + _FIND_LIMIT)) >= 0:
                        try:
                            value = loads(buf[i : j + 1])
                        except error:
                            break
                        yield base + i, value
                        i = j + width
                if i >= limit:
                    return
                pos, value, where = self.element(i)
                if value is not _NOTHING:
                    yield pos, value
                i = self.next_element(where)

    def open(self) -> bool:
        """Check that the file holds an array (split 0 reports it if not); read a chunk."""
        offset, first = _first_byte(self.f)
        if first != b"[":
            if self.split.start == 0:
                found = repr(first.decode("latin-1")) if first else "no content"
                self.on_bad(offset, f"not a JSON array: expected '[' but found {found}")
            return False
        file, start = self.split.file, self.split.start
        self.chunks = chunks_of(self.f, start, first_read(file, start, self.stop))
        self.buf = next(self.chunks, b"")
        return True

    def grow(self, keep: int) -> bool:
        """Drop the bytes before file offset `keep`, append the next chunk; False at EOF."""
        data = next(self.chunks, b"")
        self.buf = self.buf[keep - self.base :] + data
        self.base = keep
        self.eof = not data
        return not self.eof

    def next_element(self, where: Where) -> int:
        """Follow `where` to the buffer index of the next element start (or of a misplaced
        ',' or ']' where one should start); -1 when the split has no more."""
        while where is not None:
            kind, at, depth = where
            if kind == "closed":
                where = self.after_close(at, depth is True)
            elif kind == "scan":
                where = self.resync(at, depth)
            else:
                i = self.nonspace(at - self.base)
                if i == len(self.buf):  # the file or the split ended
                    self.unclosed(self.base + i, self.eof)
                    return -1
                if kind == "open":
                    self.open_at = self.base + i
                return i
        return -1

    def begin(self) -> Where:
        """Where the split's own part begins, given the state the counting pass found."""
        split, at = self.split, self.split.start
        if split.state in (INSIDE, ESCAPED):
            while (i := skip_string(self.buf, split.state == ESCAPED)) < 0:
                if self.base + len(self.buf) >= self.stop and not self.last:
                    return None  # the string runs past the split: nothing starts in it
                if not self.grow(self.base):
                    self.unclosed(self.base + len(self.buf), split.depth != (0, 0))
                    return None
            at += i
        elif split.state == OUT_ESCAPED:
            at += 1
        elif at > 0 and split.depth in ((1, 0), (0, 0)):
            before = _previous_byte(self.f, at)
            if split.depth == (1, 0) and before in (b",", b"["):
                return ("open" if before == b"[" else "comma"), at, None
            if split.depth == (0, 0) and before == b"]":
                return "closed", at, True  # the blanks before `at` follow the ']'

        return "scan", at, split.depth

    def element(self, i: int) -> tuple[int, Any, Where]:
        """Parse the element at buffer index `i`: (position, value or _NOTHING, what follows)."""
        c = self.buf[i]
        if c in b",]":
            return self.base + i, _NOTHING, self.empty(self.base + i, c)
        m = element_pattern().match(self.buf, i)
        if m is not None:
            end, after, kind = m.end(1), m.end(), "comma" if m.start(2) >= 0 else "closed"
            if kind == "comma":
                self.learn(end, after)
        else:
            end, after, kind = self.element_end(i)
            i = 0  # element_end kept the window from the element's start
        pos, value = self.base + i, _NOTHING
        try:
            value = DECODE(self.buf[i:end])
        except DecodeError as exc:
            self.on_bad(pos, json_reason(exc, self.buf[i:end]))
        if after < 0:
            self.unclosed(self.base + len(self.buf), kind == "unclosed")
            return pos, value, None
        return pos, value, (kind, self.base + after, None)

    def element_end(self, i: int) -> tuple[int, int, str]:
        """(value end, index after what ends it, "comma" | "closed" | "open"); at EOF
        (len(buf), -1, "unclosed" unless the depth is back to (0, 0))
        by tokens, growing the window from the element's start, which then is index 0.

        A malformed value can also end at a '[' that opens a new top-level array: split
        readers starting further on see that '[' the same way.
        """
        if i:
            self.grow_to(self.base + i)
        k, depth = 0, (1, 0)
        while True:
            kind, start, end, depth = scan(self.buf, k, depth, sys.maxsize)
            if kind != "more":
                return start, end, "closed" if kind == "close" else kind
            if not self.grow(self.base):
                return len(self.buf), -1, "closed" if depth == (0, 0) else "unclosed"
            k = start

    def grow_to(self, keep: int) -> None:
        """Drop the bytes before file offset `keep` without reading more."""
        self.buf, self.base = self.buf[keep - self.base :], keep

    def learn(self, end: int, after: int) -> None:
        """Remember the bytes from a value's last byte to the next value's first as the
        separator to look for: '}' ',' '{' with the whitespace around it, for instance."""
        buf = self.buf
        nxt = _nonblank(buf, after)
        if nxt < len(buf) and buf[end - 1] in _ENDS and buf[nxt] in _STARTS:
            self.separator = buf[end - 1 : nxt + 1]

    def empty(self, pos: int, c: int) -> Where:
        """Handle a ',' or ']' where an element should start."""
        if c == ord(","):
            self.on_bad(pos, "invalid JSON array: empty element before ','")
            return "comma", pos + 1, None
        if pos != self.open_at:
            self.on_bad(pos, "invalid JSON array: trailing ',' before ']'")
        return "closed", pos + 1, None

    def after_close(self, at: int, blanks_before: bool = False) -> Where:
        """After the top-level ']': report the first byte that is neither blank nor a '['
        starting a new line. Arrays may follow one another, each from a new line; `[1][2]`
        on one line is a mistake to report (issue 8). `blanks_before`: the split starts
        in the blanks after the ']', so a newline may lie before `at`."""
        i, newline = at - self.base, False
        while (j := _nonblank(self.buf, i)) == len(self.buf):
            newline = newline or b"\n" in self.buf[i:j]
            if (self.base + j >= self.stop and not self.last) or not self.grow(self.base + j):
                return None
            i = 0
        if self.base + j >= self.stop:
            return None
        if self.buf[j] != ord("["):
            self.on_bad(self.base + j, "unexpected data after the end of the JSON array")
        elif not (
            newline or b"\n" in self.buf[i:j] or (blanks_before and _newline_before(self.f, at))
        ):
            msg = "a second JSON array starts on the line the first ends on; start it on a new line"
            self.on_bad(self.base + j, msg)
        return "scan", self.base + j, (0, 0)

    def resync(self, at: int, depth: tuple[int, int]) -> Where:
        """Scan tokens from `at` (outside strings) to the next element start or ']'."""
        i = at - self.base
        while True:
            kind, start, end, depth = scan(self.buf, i, depth, self.stop - self.base)
            if kind == "limit":
                return None
            if kind != "more":
                return ("closed" if kind == "close" else kind), self.base + end, None
            if self.base + len(self.buf) >= self.stop and not self.last:
                return None
            if not self.grow(self.base + start):
                self.unclosed(self.base + len(self.buf), depth != (0, 0))
                return None
            i = 0

    def nonspace(self, i: int) -> int:
        """Buffer index of the first non-blank byte from `i`, growing the window (but not
        past the split's end); len(buf) when the file or the split ends first."""
        while (j := _nonblank(self.buf, i)) == len(self.buf):
            past_end = self.base + j >= self.stop and not self.last
            if past_end or not self.grow(self.base + j):
                return len(self.buf)
            i = 0
        return j

    def unclosed(self, pos: int, inside: bool) -> None:
        """EOF `inside` the array: the split that holds the file's end reports it once."""
        if inside and self.last:
            self.on_bad(pos, "invalid JSON array: the file ends before the closing ']'")


def _nonblank(buf: bytes, i: int) -> int:
    """The index of the first byte at or after `i` that is not JSON whitespace."""
    m = WHITESPACE.match(buf, i)
    return m.end() if m else i


def _first_byte(f: BinaryIO) -> tuple[int, bytes]:
    """The offset and value of the file's first byte that is not whitespace or a BOM."""
    f.seek(0)
    offset, data = 0, f.read(1 << 16)
    if data.startswith(BOM):
        offset, data = 3, data[3:]
    while data:
        stripped = data.lstrip(_WS)
        if stripped:
            return offset + len(data) - len(stripped), stripped[:1]
        offset += len(data)
        data = f.read(1 << 16)
    return offset, b""


def _previous_byte(f: BinaryIO, at: int) -> bytes:
    """The last non-blank byte before offset `at`, or b"\\\\" if a backslash pairs with it."""
    blocks = _backwards(f, at)
    for block in blocks:
        data = block.rstrip(_WS)
        if data:
            run = _trailing_backslashes(data[:-1])
            if run == len(data) - 1:  # the run may go on in earlier blocks
                for earlier in blocks:
                    more = _trailing_backslashes(earlier)
                    run += more
                    if more < len(earlier):
                        break
            return b"\\" if run & 1 else data[-1:]
    return b""


def _newline_before(f: BinaryIO, at: int) -> bool:
    """Whether the blanks right before offset `at` hold a line break."""
    for block in _backwards(f, at):
        data = block.rstrip(_WS)
        if b"\n" in block[len(data) :]:
            return True
        if data:
            return False
    return False


def _backwards(f: BinaryIO, end: int, size: int = 1 << 16) -> Iterator[bytes]:
    """Blocks of the file before offset `end`, last block first."""
    while end > 0:
        start = max(0, end - size)
        f.seek(start)
        yield f.read(end - start)
        end = start


def _trailing_backslashes(data: bytes) -> int:
    """How many backslashes `data` ends with."""
    return len(data) - len(data.rstrip(b"\\"))
