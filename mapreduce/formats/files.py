"""The boundary types between listing, planning and reading: an input file and a split of it.

Both are small frozen descriptors: they cross process boundaries (a split is a map task's
whole input description), data never does.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MAX_FILES",
    "MAX_OFFSET",
    "OFFSET_BITS",
    "OUTSIDE",
    "InputFile",
    "Split",
    "repeated_name",
]

OUTSIDE = 0
"""A split's start is outside any string or quoted field (the state of byte 0)."""

# A record's input position is (file index << OFFSET_BITS) + its offset in the file (in a
# compressed file's decompressed stream), so that positions order records across the whole input
# and fit the int64 columns of the fast path: up to 8,388,608 files of up to 1 TiB each.
# (48 bits of offset left 15 for the file: a 32,769th input file overflowed.)
OFFSET_BITS = 40
MAX_OFFSET = 1 << OFFSET_BITS
MAX_FILES = 1 << (63 - OFFSET_BITS)


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file as listed: where it is, its place in the input order, how to read it."""

    path: str  # as listed: globs and directories expanded, sorted within one pattern
    index: int  # position in the overall input order (command-line order kept)
    format: str  # one of FORMATS
    size: int  # bytes on disk
    mtime_ns: int
    codec: str = ""  # "gzip", "bz2", "xz" or "zstd" (chunks.CODECS); "" when not compressed
    delimiter: str = ","  # CSV: the field separator (.tsv: a tab; --delimiter)

    @property
    def compressed(self) -> bool:
        """Whether the file is one compressed stream (.gz, .bz2, .xz, .zst): one split."""
        return bool(self.codec)

    @property
    def base(self) -> int:
        """The input position of the file's byte 0 (positions: see OFFSET_BITS)."""
        return self.index << OFFSET_BITS


@dataclass(frozen=True, slots=True)
class Split:
    """A byte range of one input file, plus the parse state at its first byte.

    `state` and `depth` come from the counting pass and stay at their defaults where the
    format needs no state (NDJSON, text, parquet, .gz, a split at byte 0).
    """

    index: int  # position in the plan: by file index, then start
    file: InputFile
    start: int  # byte range [start, end); parquet: row groups; .gz: the whole file
    end: int
    # Where `start` falls (jsonscan.OUTSIDE, INSIDE, ESCAPED, OUT_ESCAPED): csv uses 1 for
    # inside a quoted field; json also tells a byte right after a backslash.
    state: int = OUTSIDE
    depth: tuple[int, int] = (0, 0)  # json: '[' and '{' open at start, outside strings


def repeated_name(names: list[str]) -> tuple[str, int, int] | None:
    """The first column name a header or schema gives twice, and the 1-based numbers of
    both columns; None if every name is distinct. As a record's keys, a repeated name
    would silently drop one column's values."""
    seen: dict[str, int] = {}
    for number, name in enumerate(names, 1):
        if name in seen:
            return name, seen[name], number
        seen[name] = number
    return None
