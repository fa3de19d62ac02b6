"""Output formats: which one a path asks for, and how a chunk's records become bytes or a batch.

    ndjson  (.jsonl, .ndjson)  one JSON object per line
    json    (.json)            Mockaroo's JSON array: "[" records joined by ",\\n" "]" (or --pretty)
    csv     (.csv)             header row, RFC 4180 quoting; --delimiter, --quote-char
    tsv     (.tsv)             the same with tabs
    sql     (.sql)             INSERT statements in batches, optional CREATE TABLE (sql.py)
    xml     (.xml)             a root element of record elements (xml.py)
    parquet (.parquet, .pq)    one row group per chunk; objects are structs, arrays lists
    text    (.txt)             one value per line (single-field schemas: the words/numbers presets)

A `.gz` suffix compresses text formats: each chunk is its own gzip member (mtime 0), so chunks
compress in parallel and the file is the same bytes whatever --workers is. Flat formats (CSV,
TSV, SQL) write a nested field under its dotted name and an array as one column holding the
array's JSON text.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join
from datagen.encode import csv_values, quote_delimited, text_values
from datagen.errors import UsageError
from datagen.layout import Leaf, Obj
from datagen.outputs import Output, TextFormat
from datagen.records import RowView, arrow_arrays, flat_columns, flat_values, json_records
from datagen.sql import SqlFormat
from datagen.xml import XmlFormat

__all__ = [
    "FORMATS",
    "Output",
    "TextFormat",
    "detect_format",
    "extension_format",
    "gzip_member",
    "record_batch",
    "text_format",
]

FORMATS = ("ndjson", "json", "csv", "tsv", "sql", "xml", "parquet", "text")
_EXTENSIONS = {
    ".jsonl": "ndjson",
    ".ndjson": "ndjson",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".sql": "sql",
    ".xml": "xml",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
}
GZIP_LEVEL = 6


def extension_format(path: str) -> str | None:
    """The format an output path's extension names (a .gz suffix aside), if any."""
    name = Path(path).name.lower()
    return _EXTENSIONS.get(Path(name.removesuffix(".gz")).suffix)


def detect_format(path: str, fmt: str | None, default: str | None = None) -> tuple[str, bool]:
    """(format, gzip?) for an output path and an optional explicit --format; `default` (a
    schema export's file_format) when neither the format nor the extension says."""
    gz = Path(path).name.lower().endswith(".gz")
    if fmt is None:
        fmt = extension_format(path) or default
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of {path!r} from its extension; name it .jsonl, .json, "
                ".csv, .tsv, .sql, .xml, .parquet or .txt (optionally + .gz), or pass --format"
            )
    elif fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if gz and fmt == "parquet":
        raise UsageError("Parquet compresses inside the file; drop the .gz suffix")
    return fmt, gz


class _Json(TextFormat):
    def __init__(self, tree: Obj, out: Output) -> None:
        self.tree, self.out = tree, out
        eol = out.eol
        if out.fmt == "ndjson":
            self.prefix, self.suffix = "", eol
        elif out.pretty:
            self.header, self.footer = f"[{eol}".encode(), f"{eol}]{eol}".encode()
            self.prefix, self.suffix, self.trim = "  ", f",{eol}", f",{eol}".encode()
        else:
            self.header, self.footer = b"[", f"]{eol}".encode()
            self.prefix, self.suffix, self.trim = "", f",{eol}", f",{eol}".encode()

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        pretty = self.out.pretty and self.out.fmt == "json"
        return json_records(
            self.tree, view, pretty=pretty, newline=self.out.eol, depth=1 if pretty else 0,
            include_nulls=self.out.include_nulls, prefix=self.prefix, suffix=self.suffix,
        )  # fmt: skip


class _Delimited(TextFormat):
    def __init__(self, tree: Obj, out: Output) -> None:
        self.columns = flat_columns(tree)
        self.out = out
        names = pa.array([c.name for c in self.columns], pa.string())
        header = quote_delimited(names, out.delimiter, out.quote).to_pylist()
        start = "\ufeff" if out.bom else ""
        names_line = f"{out.delimiter.join(header)}{out.eol}" if out.header else ""
        self.header = f"{start}{names_line}".encode()

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        d, q = self.out.delimiter, self.out.quote
        values = flat_values(
            self.columns, view, lambda c: csv_values(c, d, q), lambda a: quote_delimited(a, d, q)
        )
        if len(values) == 1:
            # an empty line is no record to CSV readers; write an empty field as "" (as Python)
            values = [pc.if_else(pc.equal(values[0], ""), q * 2, values[0])]
        parts: list[pa.Array | str] = []
        for i, v in enumerate(values):
            parts += [d, v] if i else [v]
        return join(*parts, self.out.eol)


class _Text(TextFormat):
    def __init__(self, tree: Obj, out: Output) -> None:
        leaf = tree.children[0][1]
        assert isinstance(leaf, Leaf)
        self.slot, self.out = leaf.slot, out
        self.header = "\ufeff".encode() if out.bom else b""

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        return join(text_values(view.columns[self.slot]), self.out.eol)


def text_format(tree: Obj, out: Output) -> TextFormat:
    """The writer of a text format for records shaped like `tree`."""
    if out.fmt in ("ndjson", "json"):
        return _Json(tree, out)
    if out.fmt in ("csv", "tsv"):
        return _Delimited(tree, out)
    if out.fmt == "sql":
        return SqlFormat(tree, out)
    if out.fmt == "xml":
        return XmlFormat(tree, out)
    return _Text(tree, out)


def gzip_member(data: bytes | pa.Buffer) -> bytes:
    """A self-contained gzip member; concatenated members are one valid .gz file."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def record_batch(tree: Obj, view: RowView) -> pa.RecordBatch:
    """A chunk as an Arrow batch: nested fields are structs, arrays are lists."""
    arrays, names = arrow_arrays(tree, view)
    return pa.RecordBatch.from_arrays(arrays, names=names)
