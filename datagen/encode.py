"""Columns to text: JSON and CSV value fragments, and record templates (nesting dotted names).

A chunk's records are built by one element-wise join of key literals and value fragments, so
the cost per row is a few C++ string copies; Python never loops over rows. Dictionary columns
(pool draws) are encoded once per pool value, then gathered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, join

__all__ = [
    "Template",
    "csv_template",
    "csv_values",
    "json_template",
    "json_values",
    "render",
    "text_values",
]

_JSON_SPECIAL = r'[\x00-\x1f"\\]'
_CSV_SPECIAL = r'[",\r\n]'


def _plain(arr: pa.Array, encode_strings: Callable[[pa.Array], pa.Array], null: str) -> pa.Array:
    """Text of every value: strings via `encode_strings`, others as JSON-style literals."""
    if pa.types.is_null(arr.type):
        return pa.array([null] * len(arr), pa.string())
    if pa.types.is_dictionary(arr.type):
        words = _plain(arr.dictionary, encode_strings, null)
        return pc.fill_null(words.take(arr.indices), null)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(encode_strings(arr), null)
    return pc.fill_null(arr.cast(pa.string()), null)


def _contains(arr: pa.Array, special: bytes, control: bool) -> bool:
    """Whether any string holds one of `special` (or a control character): one pass, no regex."""
    if len(arr) == 0 or arr.buffers()[2] is None:
        return False
    width = np.dtype(np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    offsets = np.frombuffer(arr.buffers()[1], width, 2, arr.offset * width.itemsize)
    end = np.frombuffer(arr.buffers()[1], width, 1, (arr.offset + len(arr)) * width.itemsize)[0]
    data = np.frombuffer(arr.buffers()[2], np.uint8, int(end - offsets[0]), int(offsets[0]))
    if control and (data < 32).any():
        return True
    return any((data == c).any() for c in special)


def _json_strings(arr: pa.Array) -> pa.Array:
    quoted = join('"', arr, '"')
    if not _contains(arr, b'"\\', control=True):
        return quoted
    needs = pc.fill_null(pc.match_substring_regex(arr, _JSON_SPECIAL), False)
    escaped = [orjson.dumps(s).decode() for s in arr.filter(needs).to_pylist()]
    return pc.replace_with_mask(quoted, needs, pa.array(escaped, quoted.type))


def _csv_strings(arr: pa.Array) -> pa.Array:
    if not _contains(arr, b'",\r\n', control=False):
        return arr
    needs = pc.fill_null(pc.match_substring_regex(arr, _CSV_SPECIAL), False)
    if not pc.any(needs).as_py():
        return arr
    quoted = join('"', pc.replace_substring(arr, '"', '""'), '"')
    return pc.if_else(needs, quoted, arr)


def json_values(col: Column) -> pa.Array:
    """JSON text of each value; null for blanks; `bare` values unquoted."""
    text = _plain(col.values, _json_strings, "null")
    if col.bare is None:
        return text
    return pc.if_else(col.bare, pc.fill_null(col.values.cast(pa.string()), "null"), text)


def csv_values(col: Column) -> pa.Array:
    """RFC 4180 field text of each value; blanks are empty."""
    return _plain(col.values, _csv_strings, "")


def text_values(col: Column) -> pa.Array:
    """Each value's plain text, for one-value-per-line files; blanks are empty."""
    return _plain(col.values, lambda a: a, "")


@dataclass(frozen=True, slots=True)
class Template:
    """A record as literals around value slots: lit[0] v[order[0]] lit[1] ... lit[-1]."""

    literals: tuple[str, ...]
    order: tuple[int, ...]


def _tree(names: Sequence[str]) -> list[tuple[str, object]]:
    """Dotted names as nested (key, column index | subtree) lists, in first-seen order."""
    root: dict[str, object] = {}
    for index, name in enumerate(names):
        node = root
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[leaf] = index
    return _as_list(root)


def _as_list(node: dict[str, object]) -> list[tuple[str, object]]:
    return [(k, _as_list(v) if isinstance(v, dict) else v) for k, v in node.items()]


def _tokens(
    tree: list[tuple[str, object]], indent: str, level: int, newline: str
) -> list[str | int]:
    pad, inner = (newline + indent * level, newline + indent * (level + 1)) if indent else ("", "")
    colon = ": " if indent else ":"
    out: list[str | int] = ["{"]
    for i, (key, node) in enumerate(tree):
        out.append(("," if i else "") + inner + orjson.dumps(key).decode() + colon)
        out.extend(_tokens(node, indent, level + 1, newline) if isinstance(node, list) else [node])  # type: ignore[list-item]
    out.append(pad + "}")
    return out


def _template(tokens: list[str | int]) -> Template:
    literals, order, current = [], [], ""
    for tok in tokens:
        if isinstance(tok, str):
            current += tok
        else:
            literals.append(current)
            order.append(tok)
            current = ""
    literals.append(current)
    return Template(tuple(literals), tuple(order))


def json_template(
    names: Sequence[str], *, pretty: bool, suffix: str, newline: str = "\n"
) -> Template:
    """One JSON object per record (dotted names nest), followed by `suffix`."""
    indent = "  " if pretty else ""
    tokens = _tokens(_tree(names), indent, 1 if pretty else 0, newline)
    if pretty:
        tokens.insert(0, indent)
    return _template([*tokens, suffix])


def csv_template(count: int, eol: str) -> Template:
    """`count` comma-separated values, then the line ending."""
    return Template(("", *([","] * (count - 1)), eol), tuple(range(count)))


def render(template: Template, values: Sequence[pa.Array]) -> pa.Array:
    """Every record's text, one string per row."""
    parts: list[pa.Array | str] = [template.literals[0]]
    for lit, index in zip(template.literals[1:], template.order, strict=True):
        parts += [values[index], lit]
    return join(*parts)
