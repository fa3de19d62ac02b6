"""How records are written: the output options, and the interface of a text format."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from datagen.records import RowView

__all__ = ["Output", "TextFormat"]


@dataclass(frozen=True, slots=True)
class Output:
    """The options of every format (a format reads the ones that apply to it)."""

    fmt: str
    pretty: bool = False
    eol: str = "\n"
    bom: bool = False
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

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        raise NotImplementedError
