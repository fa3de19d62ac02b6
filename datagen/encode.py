"""Columns to text: each value's JSON, CSV (any delimiter and quote) or plain text fragment.

datagen.records joins the fragments into records. Python never loops over rows: strings that
need escaping are found in one pass over the column's bytes, and dictionary columns (pool
draws) are encoded once per pool value, then gathered.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, join

__all__ = ["csv_values", "json_parts", "json_values", "quote_delimited", "text_values"]

_JSON_SPECIAL = r'[\x00-\x1f"\\]'


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


def quote_delimited(arr: pa.Array, delimiter: str = ",", quote: str = '"') -> pa.Array:
    """RFC 4180 quoting of strings: a value holding the delimiter, the quote or a line break
    is quoted, its quotes doubled."""
    if not _contains(arr, (delimiter + quote + "\r\n").encode(), control=False):
        return arr
    special = "[" + re.escape(delimiter + quote) + "\r\n]"
    needs = pc.fill_null(pc.match_substring_regex(arr, special), False)
    if not pc.any(needs).as_py():
        return arr
    quoted = join(quote, pc.replace_substring(arr, quote, quote * 2), quote)
    return pc.if_else(needs, quoted, arr)


def json_parts(col: Column) -> tuple[str, pa.Array, str]:
    """(before, values, after) whose join is each value's JSON text: text that needs no
    escaping and has no blanks comes back as it is, with its quotes apart, so that a record
    template can fold them into its literals (one join part instead of three)."""
    values = col.values
    plain_text = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    if (
        plain_text
        and col.bare is None
        and not values.null_count
        and not _contains(values, b'"\\', control=True)
    ):
        return '"', values, '"'
    return "", json_values(col), ""


def json_values(col: Column) -> pa.Array:
    """JSON text of each value; null for blanks; `bare` values unquoted."""
    text = _plain(col.values, _json_strings, "null")
    if col.bare is None:
        return text
    return pc.if_else(col.bare, pc.fill_null(col.values.cast(pa.string()), "null"), text)


def csv_values(col: Column, delimiter: str = ",", quote: str = '"') -> pa.Array:
    """RFC 4180 field text of each value; blanks are empty."""
    return _plain(col.values, lambda a: quote_delimited(a, delimiter, quote), "")


def text_values(col: Column) -> pa.Array:
    """Each value's plain text, for one-value-per-line files; blanks are empty."""
    return _plain(col.values, lambda a: a, "")
