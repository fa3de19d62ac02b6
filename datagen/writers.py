"""Output formats: which one a path asks for, how a chunk of columns becomes bytes or a batch.

    ndjson  (.jsonl, .ndjson)  one JSON object per line
    json    (.json)            Mockaroo's JSON array: "[" records joined by ",\\n" "]" (or --pretty)
    csv     (.csv)             header row, RFC 4180 quoting, unix or windows line endings, opt. BOM
    parquet (.parquet, .pq)    one row group per chunk; dotted names become struct columns
    text    (.txt)             one value per line (single-field schemas: the words/numbers presets)

A `.gz` suffix compresses text formats: each chunk is its own gzip member (mtime 0), so chunks
compress in parallel and the file is the same bytes whatever --workers is.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, as_bytes
from datagen.encode import (
    Template,
    csv_template,
    csv_values,
    json_template,
    json_values,
    render,
    text_values,
)
from datagen.errors import UsageError

__all__ = [
    "FORMATS",
    "Framing",
    "detect_format",
    "encode_rows",
    "framing",
    "gzip_member",
    "record_batch",
]

FORMATS = ("ndjson", "json", "csv", "parquet", "text")
_EXTENSIONS = {
    ".jsonl": "ndjson",
    ".ndjson": "ndjson",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
}
EOLS = {"unix": "\n", "windows": "\r\n"}
GZIP_LEVEL = 6


def detect_format(path: str, fmt: str | None) -> tuple[str, bool]:
    """(format, gzip?) for an output path and an optional explicit --format."""
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    stem = name[:-3] if gz else name
    if fmt is None:
        fmt = _EXTENSIONS.get(Path(stem).suffix)
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of {path!r} from its extension; name it .jsonl, .json, "
                ".csv, .parquet or .txt (optionally + .gz), or pass --format"
            )
    elif fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if gz and fmt == "parquet":
        raise UsageError("Parquet compresses inside the file; drop the .gz suffix")
    return fmt, gz


@dataclass(frozen=True, slots=True)
class Framing:
    """What surrounds the records of a text file, and what follows each record."""

    header: bytes
    separator: bytes
    footer: bytes


def framing(fmt: str, names: Sequence[str], *, pretty: bool, eol: str, bom: bool) -> Framing:
    """Header, per-record separator and footer of a text format."""
    start = "\ufeff" if bom else ""
    if fmt == "json":
        return Framing(
            f"[{eol}".encode() if pretty else b"[",
            f",{eol}".encode(),
            f"{eol}]{eol}".encode() if pretty else f"]{eol}".encode(),
        )
    if fmt == "csv":
        header = csv_values(Column(pa.array(list(names), pa.string()))).to_pylist()
        return Framing(f"{start}{','.join(header)}{eol}".encode(), eol.encode(), b"")
    if fmt == "text":
        return Framing(start.encode(), eol.encode(), b"")
    return Framing(b"", eol.encode(), b"")


def template(
    fmt: str, names: Sequence[str], *, pretty: bool, separator: str, eol: str = "\n"
) -> Template:
    """The record template of a text format."""
    if fmt in ("ndjson", "json"):
        pretty = pretty and fmt == "json"
        return json_template(names, pretty=pretty, suffix=separator, newline=eol)
    if fmt == "csv":
        return csv_template(len(names), separator)
    return Template(("", separator), (0,))


def encode_rows(fmt: str, tpl: Template, columns: Sequence[Column]) -> bytes:
    """The records of one chunk as bytes, each followed by the format's separator."""
    encode = _ENCODERS[fmt]
    values = [encode(c) for c in columns]
    if fmt == "csv" and len(values) == 1:
        # an empty line is no record to CSV readers; write an empty field as "" (as Python does)
        values = [pc.if_else(pc.equal(values[0], ""), '""', values[0])]
    return as_bytes(render(tpl, values))


_ENCODERS = {"ndjson": json_values, "json": json_values, "csv": csv_values, "text": text_values}


def gzip_member(data: bytes) -> bytes:
    """A self-contained gzip member; concatenated members are one valid .gz file."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _arrow(col: Column) -> pa.Array:
    values = col.values
    if pa.types.is_dictionary(values.type):
        return values.dictionary_decode()
    return values


def record_batch(names: Sequence[str], columns: Sequence[Column]) -> pa.RecordBatch:
    """A chunk as an Arrow batch; dotted names become (nested) struct columns."""
    root: dict[str, object] = {}
    for name, col in zip(names, columns, strict=True):
        node = root
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[leaf] = _arrow(col)

    def build(node: dict[str, object]) -> tuple[list[pa.Array], list[str]]:
        arrays = [
            pa.StructArray.from_arrays(*build(v)) if isinstance(v, dict) else v
            for v in node.values()
        ]
        return arrays, list(node)  # type: ignore[return-value]

    arrays, keys = build(root)
    return pa.RecordBatch.from_arrays(arrays, names=keys)
