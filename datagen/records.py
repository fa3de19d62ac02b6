"""A chunk's records from its fields' columns, following the layout's tree (datagen.layout).

    json_records   one JSON text per record (objects nest, arrays hold elements' texts)
    flat_columns   the columns of flat formats (CSV, TSV, SQL): dotted names for nested
                   fields, and one column of JSON text for each array (documented rule)
    arrow_arrays   Arrow arrays for Parquet: objects are structs, arrays are lists

A JSON record (nulls written, the default) is one assemble of pieces (datagen.pieces): key
literals, pool words, digit pieces and text columns, with nested objects inline; other
levels are one element-wise join of literals and value fragments (C++). Either way the cost
per record does not depend on Python; an array's elements are rendered once over all the
chunk's elements, then grouped per record by the element offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, join
from datagen.encode import json_parts, json_values
from datagen.layout import Arr, Leaf, Node, Obj
from datagen.numerals import number_parts
from datagen.pieces import Gather, Part, assemble, clean, memo

__all__ = [
    "FlatColumn",
    "RowView",
    "arrow_arrays",
    "flat_columns",
    "flat_values",
    "group",
    "json_records",
]


class RowView:
    """What renderers read: the records' count, each slot's column, each array's offsets."""

    def __init__(
        self, rows: int, columns: dict[int, Column], offsets: Sequence[np.ndarray]
    ) -> None:
        self.rows = rows
        self.columns = columns
        self.offsets = offsets

    def size(self, array: int | None) -> int:
        """Rows of the records (None) or elements of an array."""
        return self.rows if array is None else int(self.offsets[array][-1])


def group(parts: pa.Array, offsets: np.ndarray, sep: str) -> pa.Array:
    """Per parent row, its elements' texts joined with `sep` ("" for no elements)."""
    lists = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), parts)
    return pc.binary_join(lists, sep)


@dataclass(frozen=True, slots=True)
class _JsonStyle:
    indent: str  # "" for compact
    newline: str
    include_nulls: bool

    def pad(self, depth: int) -> str:
        return self.newline + self.indent * depth if self.indent else ""

    @property
    def colon(self) -> str:
        return ": " if self.indent else ":"


def _json_node(
    node: Node, view: RowView, style: _JsonStyle, depth: int, level: int | None
) -> pa.Array:
    if isinstance(node, Leaf):
        return json_values(view.columns[node.slot])
    if isinstance(node, Arr):
        return _json_array(node, view, style, depth)
    return _json_object(node, view, style, depth, level)


def _json_array(node: Arr, view: RowView, style: _JsonStyle, depth: int) -> pa.Array:
    offsets = view.offsets[node.array]
    elements = _json_node(node.element, view, style, depth + 1, node.array)
    if not style.indent:
        return join("[", group(elements, offsets, ","), "]")
    inner, outer = style.pad(depth + 1), style.pad(depth)
    body = join("[", inner, group(elements, offsets, "," + inner), outer, "]")
    empty = pa.array(np.diff(offsets) == 0)
    return pc.if_else(empty, "[]", body)


def _json_object(
    node: Obj, view: RowView, style: _JsonStyle, depth: int, level: int | None
) -> pa.Array:
    """`{"key":value,...}` per row; without nulls, a null value drops its key."""
    if not node.children:  # an array whose fields are all hidden
        return pa.repeat(pa.scalar("{}"), view.size(level))
    inner = style.pad(depth + 1)
    parts: list[pa.Array | str] = []
    for i, (key, child) in enumerate(node.children):
        value = _json_node(child, view, style, depth + 1, level)
        lead = ("," if i or not style.include_nulls else "") + inner
        literal = lead + orjson.dumps(key).decode() + style.colon
        if style.include_nulls or not isinstance(child, Leaf):
            parts += [literal, value]
        else:
            present = view.columns[child.slot].values.is_valid()
            parts.append(pc.if_else(present, join(literal, value), ""))
    if style.include_nulls:
        return join("{", *parts, style.pad(depth), "}")
    body = pc.utf8_slice_codeunits(join("", *parts), 1)  # drop the first key's comma
    return pc.if_else(pc.equal(body, ""), "{}", join("{", body, style.pad(depth), "}"))


_BOOLEANS = pa.array(["false", "true", "null"])


def _null_last(words: pa.Array) -> pa.Array:
    return pa.concat_arrays([words, pa.array(["null"], words.type)])


def _dictionary_parts(values: pa.DictionaryArray) -> Gather:
    """A pool column's JSON: each distinct value encoded once per process, then gathered."""
    words = memo(values.dictionary, ("json",), lambda d: json_values(Column(d)))
    indices = values.indices
    if values.null_count:
        words = memo(words, ("null",), _null_last)
        indices = pc.fill_null(indices, len(words) - 1)
    return Gather(words, np.asarray(indices))


def _clean(part: Part) -> bool:
    """Whether a piece's text needs no JSON escaping."""
    if isinstance(part, Gather):
        return clean(part.words)
    return not any(c in '"\\' or c < " " for c in part)


def _leaf_parts(literal: str, col: Column) -> list[Part]:
    """`"key":value` of one leaf as pieces (datagen.pieces): pools and booleans gathered,
    numbers as digit pieces (datagen.numerals), clean text between quotes in the literals."""
    if col.bare is None:
        if col.parts is not None and all(_clean(p) for p in col.parts):
            return [literal + '"', *col.parts, '"']
        values = col.values
        if pa.types.is_dictionary(values.type):
            return [literal, _dictionary_parts(values)]
        if pa.types.is_boolean(values.type):
            indices = np.asarray(pc.fill_null(pc.cast(values, pa.int8()), 2))
            return [literal, Gather(_BOOLEANS, indices)]
        numbers = number_parts(values)
        if numbers is not None:
            return [literal, *numbers]
    before, text, after = json_parts(col)
    return [literal + before, Gather(text), after]


def _object_parts(node: Obj, view: RowView, style: _JsonStyle, depth: int) -> list[Part]:
    """`{"key":value,...}` of the records' objects (nulls written) as pieces: nested objects
    inline, so their leaves are pieces of the same assemble; arrays as their own text."""
    if not node.children:
        return ["{}"]
    inner = style.pad(depth + 1)
    parts: list[Part] = ["{"]
    for i, (key, child) in enumerate(node.children):
        literal = ("," if i else "") + inner + orjson.dumps(key).decode() + style.colon
        if isinstance(child, Leaf):
            parts += _leaf_parts(literal, view.columns[child.slot])
        elif isinstance(child, Obj):
            parts += [literal, *_object_parts(child, view, style, depth + 1)]
        else:
            parts += [literal, Gather(_json_node(child, view, style, depth + 1, None))]
    return [*parts, style.pad(depth) + "}"]


def json_records(
    tree: Obj, view: RowView, *, pretty: bool = False, newline: str = "\n",
    include_nulls: bool = True, depth: int = 0, prefix: str = "", suffix: str = "",
) -> pa.Array:  # fmt: skip
    """One JSON object per record (pretty: indented by two spaces per level), each between
    `prefix` and `suffix` (assembled in the same pass)."""
    style = _JsonStyle("  " if pretty else "", newline, include_nulls)
    if include_nulls and tree.children:  # the common case: one assemble for the whole record
        parts = _object_parts(tree, view, style, depth)
        return assemble([prefix, *parts, suffix], view.rows)
    records = _json_object(tree, view, style, depth, None)
    return join(prefix, records, suffix) if prefix or suffix else records


@dataclass(frozen=True, slots=True)
class FlatColumn:
    """A column of a flat format: its header name and the node it writes."""

    name: str
    node: Leaf | Arr


def flat_columns(tree: Obj) -> list[FlatColumn]:
    """Leaves under dotted names; an array (of values or objects) as one column."""
    out: list[FlatColumn] = []

    def walk(node: Obj, prefix: str) -> None:
        for key, child in node.children:
            name = prefix + key
            if isinstance(child, Obj):
                walk(child, name + ".")
            else:
                out.append(FlatColumn(name, child))

    walk(tree, "")
    return out


def flat_values(
    columns: Sequence[FlatColumn], view: RowView, leaf: Callable[[Column], pa.Array],
    array: Callable[[pa.Array], pa.Array],
) -> list[pa.Array]:  # fmt: skip
    """Each flat column's text: `leaf` encodes a value, `array` the JSON text of an array."""
    style = _JsonStyle("", "\n", True)
    return [
        leaf(view.columns[c.node.slot]) if isinstance(c.node, Leaf)
        else array(_json_array(c.node, view, style, 0))
        for c in columns
    ]  # fmt: skip


def _arrow_leaf(col: Column) -> pa.Array:
    values = col.values
    if pa.types.is_dictionary(values.type):
        return values.dictionary_decode()
    return values


def _arrow_node(node: Node, view: RowView, level: int | None) -> pa.Array:
    if isinstance(node, Leaf):
        return _arrow_leaf(view.columns[node.slot])
    if isinstance(node, Arr):
        offsets = pa.array(view.offsets[node.array].astype(np.int32))
        return pa.ListArray.from_arrays(offsets, _arrow_node(node.element, view, node.array))
    if not node.children:  # an array whose fields are all hidden: elements without fields
        return pa.nulls(view.size(level))
    arrays = [_arrow_node(child, view, level) for _, child in node.children]
    return pa.StructArray.from_arrays(arrays, names=[k for k, _ in node.children])


def arrow_arrays(tree: Obj, view: RowView) -> tuple[list[pa.Array], list[str]]:
    """The record's top-level Arrow arrays (structs and lists inside) and their names."""
    arrays = [_arrow_node(child, view, None) for _, child in tree.children]
    return arrays, [k for k, _ in tree.children]
