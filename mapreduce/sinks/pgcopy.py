"""COPY text payloads built a column at a time, in pyarrow kernels instead of per-row Python.

    columns (decoded values) ─► one string array per column: numbers and booleans cast
    in C, text escaped with `replace_substring` (\\ \\t \\n \\r), JSON values as orjson text,
    NULL as \\N ─► joined with tabs, each row ended by a newline ─► one buffer for COPY

`copy.write_row` formats every value in Python (most of a stage's time before this).
The text is what PostgreSQL's own input functions read, so every value lands as
`write_row` would have sent it: floats in their shortest round-trip spelling (the same
double), ints digit for digit, booleans as true/false, JSON as orjson writes it. A column
pyarrow cannot take exactly (an int beyond 2**53 in a float column, say) is spelled in
Python, value by value, as `write_row` spells it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce.sinks.records import json_texts

__all__ = ["NULL", "column_text", "copy_payload", "instant_text", "ordinal_text"]

NULL = "\\N"
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_ARROW = {"integer": pa.int64(), "float": pa.float64(), "boolean": pa.bool_()}
_NS = 1_000_000_000
_EXACT_NS = 9_000_000_000  # |seconds| below this: seconds * 1e9 + nanos fits in int64


def copy_payload(columns: Sequence[pa.Array]) -> memoryview:
    """The COPY text rows of string columns (no nulls): tab-separated, newline-ended."""
    if len(columns) == 1:
        joined = pc.binary_join_element_wise(columns[0], "", "\n")
    else:
        joined = pc.binary_join_element_wise(pc.binary_join_element_wise(*columns, "\t"), "", "\n")
    offsets = np.frombuffer(joined.buffers()[1], np.int32, len(joined) + 1, joined.offset)
    data = joined.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])] if data else memoryview(b"")


def column_text(values: Sequence[Any], logical: str, escapes: bool = True) -> pa.Array:
    """One column of a staging table's `logical` type as COPY text (no nulls left).

    `escapes` False promises that no value holds a backslash, tab, newline or carriage
    return (its batch's lines hold no backslash), which spares the escaping passes."""
    if logical == "null":
        return pa.array([NULL] * len(values), pa.string())
    if logical == "json":
        values = json_texts(values)
    elif logical in _ARROW:
        try:
            return pc.fill_null(pc.cast(pa.array(values, _ARROW[logical]), pa.string()), NULL)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return _python_text(values)
    elif logical == "decimal":
        return _python_text(values)
    text = pa.array(values, pa.string())
    for plain, escaped in _ESCAPES * escapes:
        text = pc.replace_substring(text, plain, escaped)
    return pc.fill_null(text, NULL)


def _python_text(values: Sequence[Any]) -> pa.Array:
    """Numbers spelled as psycopg's text dumpers spell them: str() of the int or float."""
    return pa.array([NULL if v is None else str(v) for v in values], pa.string())


def instant_text(seconds: Sequence[int], nanos: Sequence[int]) -> pa.Array:
    """Exact instants (seconds, nanoseconds) as NUMERIC nanoseconds text."""
    try:
        secs = np.asarray(seconds, np.int64)
    except OverflowError:
        secs = None
    if secs is None or not ((secs > -_EXACT_NS) & (secs < _EXACT_NS)).all():
        exact = zip(_ints(seconds), _ints(nanos), strict=True)  # numpy's int64 would overflow
        return pa.array([str(s * _NS + n) for s, n in exact], pa.string())
    return pc.cast(pa.array(secs * _NS + np.asarray(nanos, np.int64)), pa.string())


def _ints(values: Sequence[int]) -> list[int]:
    """Python ints of an int64 array (or the list itself)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def ordinal_text(first: int, count: int) -> pa.Array:
    """Line numbers first, first + 1, … as text."""
    return pc.cast(pa.array(np.arange(first, first + count, dtype=np.int64)), pa.string())
