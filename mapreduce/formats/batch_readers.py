"""Which batch reader reads a split for a job's declared fields: the fast path's dispatch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapreduce.formats.declared import BatchReader, NdjsonBatches, TextBatches
from mapreduce.formats.declared_csv import CsvBatches
from mapreduce.formats.files import Split

__all__ = ["batch_reader"]


def batch_reader(split: Split, fields: Mapping[str, Any] | None) -> BatchReader | None:
    """The batch reader for a split and declared fields, or None (the row path): text
    needs no fields, NDJSON and CSV need them (a compressed file's decompressed stream is
    read the same way)."""
    fmt = split.file.format
    if fmt == "text":
        return TextBatches()
    if fmt == "ndjson" and fields:
        return NdjsonBatches(fields)
    if fmt == "csv" and fields:
        reader = CsvBatches(split, fields)
        return reader if reader.usable else None
    return None
