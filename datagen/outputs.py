"""How records are written: the output options (checked), and the interface of a text format."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from datagen.errors import UsageError
from datagen.records import RowView

__all__ = ["EOLS", "Output", "TextFormat", "make_output"]

EOLS = {"unix": "\n", "windows": "\r\n"}
DEFAULT_BATCH = 1000
# option -> (the formats it applies to, how errors name them)
_APPLIES = {
    "bom": (("csv", "tsv", "text"), "CSV, TSV and text files"),
    "header": (("csv", "tsv"), "CSV and TSV files"),
    "delimiter": (("csv", "tsv"), "CSV and TSV files"),
    "quote_char": (("csv", "tsv"), "CSV and TSV files"),
    "table_name": (("sql",), ".sql files"),
    "create_table": (("sql",), ".sql files"),
    "insert_batch": (("sql",), ".sql files"),
    "xml_root": (("xml",), ".xml files"),
    "xml_record": (("xml",), ".xml files"),
    "include_nulls": (("ndjson", "json"), "JSON files (XML always leaves blanks out)"),
}
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
                    "space": " "}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Output:
    """The options of every format (a format reads the ones that apply to it)."""

    fmt: str
    pretty: bool = False
    eol: str = "\n"
    bom: bool = False
    header: bool = True  # CSV and TSV: the names line first
    delimiter: str = ","
    quote: str = '"'
    include_nulls: bool = True
    table: str = "data"
    create_table: bool = False
    batch: int = 1000
    xml_root: str = "dataset"
    xml_record: str = "record"


class TextFormat:
    """A text format: a header, each record's text (with what follows it), a footer.

    `records(view, start, total)` is given the chunk's first file position and the file's
    row count, for formats whose framing depends on a record's place (SQL statements).
    """

    header: bytes = b""
    footer: bytes = b""
    trim: bytes = b""  # removed from the end of the last record (a JSON array's last comma)

    def start(self, view: RowView) -> bytes:
        """What the file starts with; `view` is the first chunk (for SQL's column types)."""
        return self.header

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        raise NotImplementedError


def _flag(name: str) -> str:
    if name in ("include_nulls", "header"):  # options whose flag turns them off
        name = "no_" + name
    return "--" + name.replace("_", "-")


def _given(args: Mapping[str, Any], name: str) -> bool:
    value = args.get(name)
    if name in ("include_nulls", "header"):
        return value is False
    return value not in (None, False)


def _char(args: Mapping[str, Any], name: str, default: str) -> str:
    value = args.get(name)
    if value is None:
        return default
    text = _DELIMITER_NAMES.get(str(value).lower(), value) if name == "delimiter" else value
    if not isinstance(text, str) or len(text) != 1 or text in "\r\n":
        raise UsageError(f"{_flag(name)} must be one character (or tab), got {value!r}")
    return text


def _batch(value: Any) -> int:
    if value is None:
        return DEFAULT_BATCH
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"--insert-batch must be a whole number of at least 1, got {value!r}")
    return value


def _name(args: Mapping[str, Any], key: str, default: str) -> str:
    value = args.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{_flag(key)} must be a non-empty name, got {value!r}")
    return value


def _table(path: str) -> str:
    """The default table name: the output's file name without its extensions."""
    return Path(path).name.split(".")[0] or "data"


def make_output(path: str, fmt: str, args: Mapping[str, Any]) -> Output:
    """The output options of generate()'s arguments; UsageError for one that does not apply."""
    for name, (formats, what) in _APPLIES.items():
        if _given(args, name) and fmt not in formats:
            raise UsageError(f"{_flag(name)} only applies to {what}, not {fmt}")
    line_ending = args.get("line_ending") or "unix"
    if line_ending not in EOLS:
        raise UsageError(f"--line-ending must be unix or windows, got {line_ending!r}")
    delimiter = _char(args, "delimiter", "\t" if fmt == "tsv" else ",")
    quote = _char(args, "quote_char", '"')
    if quote == delimiter:
        raise UsageError(f"--quote-char and --delimiter must differ, both are {quote!r}")
    return Output(
        fmt, pretty=bool(args.get("pretty")), eol=EOLS[line_ending], bom=bool(args.get("bom")),
        header=args.get("header") is not False,
        delimiter=delimiter, quote=quote, include_nulls=args.get("include_nulls") is not False,
        table=_name(args, "table_name", _table(path)), create_table=bool(args.get("create_table")),
        batch=_batch(args.get("insert_batch")), xml_root=_name(args, "xml_root", "dataset"),
        xml_record=_name(args, "xml_record", "record"),
    )  # fmt: skip
