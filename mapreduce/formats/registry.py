"""The format registry: one entry per record format, and the dispatch every layer uses.

An entry says all the engine needs to know of a format: the extensions that name it, how
to cut a file into ranges (bytes, or Parquet row groups), the counting pass that resolves
where a range's first record starts (CSV, JSON arrays), how to read one split's records,
how to write job output, how to give all parts of one output one schema, and how to
describe a record's position in messages. Adding a format is adding an entry here and its
module; nothing else names formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mapreduce.formats import csvfile, jsonarray, jsonscan, ndjson, parquet, text
from mapreduce.formats.files import OUTSIDE, InputFile, Split

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "START",
    "Format",
    "RecordWriter",
    "advance",
    "count_split",
    "format_named",
    "needs_count",
    "open_writer",
    "read_records",
    "read_split",
    "unify_parts",
]

OnBad = Callable[[int, str], None]
State = tuple[int, int, int]  # (string state, open '[', open '{') at a range's first byte


class RecordWriter(Protocol):
    """Writes records to one output file; the caller handles temporary names and renames."""

    def write(self, record: Any) -> None:
        """Add one record."""

    def close(self) -> None:
        """Flush and close the file."""


@dataclass(frozen=True, slots=True)
class Format:
    """What the engine knows of one record format."""

    name: str
    extensions: tuple[str, ...]
    read: Callable[[Split, OnBad], Iterator[tuple[int, Any]]]
    # (position, record, bytes as read) — the bytes only where a record is one JSON text
    read_raw: Callable[[Split, OnBad], Iterator[tuple[int, Any, bytes | None]]] | None = None
    count: Callable[[Split], tuple[Any, ...]] | None = None  # the counting pass, if needed
    advance: Callable[[State, tuple[Any, ...]], State] | None = None
    writer: Callable[[str], RecordWriter] | None = None
    output_extension: str = ""
    row_groups: bool = False  # ranges are row groups, positions are row numbers
    # how to cut a file into ranges when they are not bytes: (path, split_size) -> ranges
    ranges: Callable[[str, int], list[tuple[int, int]]] | None = None
    # rewrite an output's part files to one schema or header (formats that have one)
    unify: Callable[[Sequence[str]], None] | None = None

    def describe(self, position: int, line: int) -> str:
        """ "row N" for row-group formats, else "line N" (the caller counts lines)."""
        return f"row {position + 1}" if self.row_groups else f"line {line}"


def _count_csv(split: Split) -> tuple[int]:
    return (csvfile.count_quotes(split.file.path, split.start, split.end),)


def _advance_csv(state: State, summary: tuple[Any, ...]) -> State:
    return (state[0] ^ summary[0], 0, 0)


def _count_json(split: Split) -> tuple[Any, ...]:
    return jsonscan.summarize(split.file.path, split.start, split.end)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            "ndjson",
            (".jsonl", ".ndjson"),
            ndjson.read,
            read_raw=ndjson.read_with_bytes,
            writer=ndjson.NdjsonWriter,
            output_extension="jsonl",
        ),
        # .json is sniffed: a JSON array, or NDJSON under a .json name (formats.listing)
        Format("json", (".json",), jsonarray.read, count=_count_json, advance=jsonscan.advance),
        Format(
            "csv",
            (".csv", ".tsv", ".tab"),  # tab-separated: formats.csvfile.EXTENSION_DELIMITERS
            csvfile.read,
            count=_count_csv,
            advance=_advance_csv,
            writer=csvfile.CsvWriter,
            output_extension="csv",
            unify=csvfile.unify_parts,
        ),
        Format(
            "parquet",
            (".parquet", ".pq"),
            parquet.read,
            writer=parquet.ParquetWriter,
            output_extension="parquet",
            row_groups=True,
            ranges=parquet.plan_row_groups,
            unify=parquet.unify_parts,
        ),
        Format("text", (".txt", ".text", ".log", ".md"), text.read),
    )
}
INPUT_FORMATS = tuple(FORMATS)
OUTPUT_FORMATS = tuple(name for name, fmt in FORMATS.items() if fmt.writer is not None)
EXTENSIONS = {ext: fmt.name for fmt in FORMATS.values() for ext in fmt.extensions}


def format_named(name: str) -> Format:
    """The registry entry of a format name (names come from listing, so they exist)."""
    return FORMATS[name]


def read_split(split: Split, on_bad: OnBad) -> Iterator[tuple[int, Any]]:
    """Yield (position, record) for every record that belongs to the split, in file order.

    A malformed record calls on_bad(position, reason); if on_bad returns, the reader skips
    that record and goes on.
    """
    return FORMATS[split.file.format].read(split, on_bad)


def read_records(split: Split, on_bad: OnBad) -> Iterator[tuple[int, Any, bytes | None]]:
    """Like read_split, yielding (position, record, raw): the record's bytes as read where
    a record is one JSON text (NDJSON; what RawJSON keeps), else None."""
    fmt = FORMATS[split.file.format]
    if fmt.read_raw is not None:
        return fmt.read_raw(split, on_bad)
    return ((position, record, None) for position, record in fmt.read(split, on_bad))


def count_split(split: Split) -> tuple[Any, ...]:
    """The counting pass over one split's bytes (a top-level function for executor.map)."""
    count = FORMATS[split.file.format].count
    assert count is not None, f"{split.file.format} needs no counting pass"
    return count(split)


def needs_count(file: InputFile) -> bool:
    """Whether ranges of this file need the counting pass to find their first record."""
    return FORMATS[file.format].count is not None and not file.compressed


def advance(fmt: str, state: State, summary: tuple[Any, ...]) -> State:
    """The state after a range, given the state before it and the range's summary."""
    step = FORMATS[fmt].advance
    assert step is not None
    return step(state, summary)


def open_writer(fmt: str, path: str) -> RecordWriter:
    """A writer of output format `fmt` creating the file at `path`."""
    entry = FORMATS.get(fmt)
    if entry is None or entry.writer is None:
        choices = ", ".join(OUTPUT_FORMATS)
        raise ValueError(f"unknown output format {fmt!r}; choose one of {choices}")
    return entry.writer(path)


def unify_parts(fmt: str, paths: Sequence[str]) -> None:
    """Rewrite the part files of one output so that all share one schema (Parquet) or one
    header (CSV), empty parts included; formats without a schema (NDJSON) are left as they
    are. The coordinator calls it on the staging dir's parts before the commit: which
    schema is right needs every reduce task's output."""
    entry = FORMATS.get(fmt)
    if entry is not None and entry.unify is not None and paths:
        entry.unify(paths)


START: State = (OUTSIDE, 0, 0)
