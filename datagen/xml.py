"""XML output: a root element of record elements, each field an element (Mockaroo's layout).

    <?xml version="1.0" encoding="UTF-8"?>
    <dataset>                                   (--xml-root)
      <record id="1">                           (--xml-record; a field named @id is an attribute)
        <name>Ann</name>
        <address><city>Oslo</city></address>    (dotted names nest, one element per line)
        <phone>555-1234</phone>                 (an array repeats its element: phone[2],
        <phone>555-9876</phone>                  JSON Array and Repeating Element alike)
        <nick short="Bo">Robert</nick>          (nick.@short and nick.$value)
      </record>
    </dataset>

A blank value writes no element (nor attribute). Text is escaped (& < >, and " in
attributes; CR, and tabs and new lines in attributes, as character references so parsers
keep them); characters XML 1.0 cannot hold (control characters other than tab, new line
and CR) become U+FFFD. Field names must be valid XML names.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, join
from datagen.errors import UsageError
from datagen.layout import Arr, Leaf, Node, Obj
from datagen.outputs import Output, TextFormat
from datagen.records import RowView, group

__all__ = ["XmlFormat", "check_xml_names"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_INVALID = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"
_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTRIBUTE = (*_TEXT, ('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))


def _escape(text: pa.Array, table: tuple[tuple[str, str], ...]) -> pa.Array:
    text = pc.replace_substring_regex(text, _INVALID, "\ufffd")
    for raw, ref in table:
        text = pc.replace_substring(text, raw, ref)
    return text


def _values(col: Column, table: tuple[tuple[str, str], ...]) -> pa.Array:
    """Each value's escaped text (nulls stay null: no element is written for them)."""
    values = col.values
    if pa.types.is_dictionary(values.type):
        return _values(Column(values.dictionary), table).take(values.indices)
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.string())
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return _escape(values.cast(pa.string()), table)
    return values.cast(pa.string())


def check_xml_names(tree: Obj, out: Output) -> None:
    """UsageError for a name XML cannot use as an element or attribute."""
    for what, name in (("--xml-root", out.xml_root), ("--xml-record", out.xml_record)):
        if not _NAME.fullmatch(name) or name.lower().startswith("xml"):
            raise UsageError(
                f"{what} {name!r} is not an XML element name; use letters, digits, _ . -"
            )

    def walk(node: Node, path: str) -> None:
        if isinstance(node, Arr):
            walk(node.element, path)
        elif isinstance(node, Obj):
            for key, child in node.children:
                bare = key[1:] if key.startswith("@") else key
                if key != "$value" and not _NAME.fullmatch(bare):
                    raise UsageError(
                        f"field {path + key!r}: {key!r} is not an XML name; rename it for .xml "
                        "(letters, digits, _ . -, not starting with a digit)"
                    )
                walk(child, f"{path}{key}.")

    walk(tree, "")


class XmlFormat(TextFormat):
    """Records as indented elements under one root element."""

    def __init__(self, tree: Obj, out: Output) -> None:
        check_xml_names(tree, out)
        self.tree, self.out = tree, out
        eol = out.eol
        self.header = f'<?xml version="1.0" encoding="UTF-8"?>{eol}<{out.xml_root}>{eol}'.encode()
        self.footer = f"</{out.xml_root}>{eol}".encode()

    def pad(self, depth: int) -> str:
        return self.out.eol + "  " * depth

    def records(self, view: RowView, start: int, total: int) -> pa.Array:
        record = self._element(self.out.xml_record, self.tree, view, 1, None)
        return join(pc.utf8_slice_codeunits(record, len(self.out.eol)), self.out.eol)

    def _element(
        self, name: str, node: Node, view: RowView, depth: int, level: int | None
    ) -> pa.Array:
        """`<name>…</name>` per row, starting with a new line; "" where a value is blank."""
        pad = self.pad(depth)
        if isinstance(node, Leaf):
            text = _values(view.columns[node.slot], _TEXT)
            return pc.fill_null(join(f"{pad}<{name}>", text, f"</{name}>"), "")
        if isinstance(node, Arr):
            items = self._element(name, node.element, view, depth, node.array)
            return group(items, view.offsets[node.array], "")
        return self._object(name, node, view, depth, level)

    def _object(
        self, name: str, node: Obj, view: RowView, depth: int, level: int | None
    ) -> pa.Array:
        attributes: list[pa.Array | str] = []
        inner: list[pa.Array | str] = []
        text: pa.Array | None = None
        for key, child in node.children:
            if key.startswith("@") and isinstance(child, Leaf):
                value = _values(view.columns[child.slot], _ATTRIBUTE)
                attributes.append(pc.fill_null(join(f' {key[1:]}="', value, '"'), ""))
            elif key == "$value" and isinstance(child, Leaf):
                text = pc.fill_null(_values(view.columns[child.slot], _TEXT), "")
            else:
                inner.append(self._element(key, child, view, depth + 1, level))
        size = view.size(level)
        open_ = (
            join(f"{self.pad(depth)}<{name}", *attributes, ">")
            if attributes
            else (pa.repeat(pa.scalar(f"{self.pad(depth)}<{name}>"), size))
        )
        body = join("", *inner) if inner else pa.repeat(pa.scalar(""), size)
        if text is not None:
            body = join(text, body)
        close = pc.if_else(pc.equal(body, ""), f"</{name}>", f"{self.pad(depth)}</{name}>")
        if text is not None:
            ends_inline = pa.array(np.asarray(pc.equal(join("", *inner), "")) if inner else
                                   np.ones(size, dtype=bool))  # fmt: skip
            close = pc.if_else(ends_inline, f"</{name}>", close)
        return join(open_, body, close)
