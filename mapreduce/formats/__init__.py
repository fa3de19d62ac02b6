"""Record formats: one module per format with its reader (one split's records) and writer.

    ndjson     one JSON value per line                 reader, writer
    jsonarray  a JSON array, compact or pretty         reader (jsonscan: its structure)
    csvfile    RFC 4180 CSV with a header              reader, writer
    parquet    row groups as splits                    reader, writer
    text       one str per line                        reader

mapreduce.splits picks the reader for a split; open_writer picks the writer for job output.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["WRITER_FORMATS", "RecordWriter", "open_writer"]

WRITER_FORMATS = ("ndjson", "csv", "parquet")


class RecordWriter(Protocol):
    """Writes records to one output file; the caller handles temporary names and renames."""

    def write(self, record: Any) -> None:
        """Add one record."""

    def close(self) -> None:
        """Flush and close the file."""


def open_writer(fmt: str, path: str) -> RecordWriter:
    """A writer of `fmt` ("ndjson", "csv" or "parquet") creating the file at `path`."""
    if fmt == "ndjson":
        from mapreduce.formats.ndjson import NdjsonWriter

        return NdjsonWriter(path)
    if fmt == "csv":
        from mapreduce.formats.csvfile import CsvWriter

        return CsvWriter(path)
    if fmt == "parquet":
        from mapreduce.formats.parquet import ParquetWriter

        return ParquetWriter(path)
    raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(WRITER_FORMATS)}")
