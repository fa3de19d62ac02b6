"""Column types: inferred from records or a pyarrow schema, declared per dialect, and fitted.

Logical types, and how each dialect declares them:

    logical   values                          SQLite      PostgreSQL
    boolean   true / false                    BOOLEAN     BOOLEAN
    integer   ints within 64 bits             INTEGER     BIGINT
    decimal   ints beyond 64 bits             (refused)   NUMERIC
    float     floats, or floats and ints      REAL        DOUBLE PRECISION
    text      strings                         TEXT        TEXT
    json      objects, arrays, mixed types,   JSON_TEXT   JSONB
              or nothing but nulls

A column whose values do not share one scalar type holds each value as JSON, so nothing
is coerced silently. SQLite's JSON_TEXT has TEXT affinity (a declared `JSON` would have
NUMERIC affinity and turn some JSON texts into numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import pyarrow as pa

from mapreduce.sinks.spec import SinkError

__all__ = [
    "DECLARED",
    "accepts",
    "declared_logical",
    "from_arrow",
    "infer_column",
    "merge_columns",
    "merge_type",
]

INT64 = (-(2**63), 2**63 - 1)
DECLARED = {
    "sqlite": {
        "boolean": "BOOLEAN",
        "integer": "INTEGER",
        "float": "REAL",
        "text": "TEXT",
        "json": "JSON_TEXT",
        "decimal": "NUMERIC",
    },
    "postgresql": {
        "boolean": "BOOLEAN",
        "integer": "BIGINT",
        "float": "DOUBLE PRECISION",
        "text": "TEXT",
        "json": "JSONB",
        "decimal": "NUMERIC",
    },
}
_BY_PYTYPE = {
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "text",
    dict: "json",
    list: "json",
}
_PG_LOGICAL = {
    "boolean": "boolean",
    "smallint": "integer",
    "integer": "integer",
    "bigint": "integer",
    "numeric": "decimal",
    "real": "float",
    "double precision": "float",
    "text": "text",
    "character varying": "text",
    "character": "text",
    "json": "json",
    "jsonb": "json",
}
_WIDER = {
    frozenset({"integer", "float"}): "float",
    frozenset({"integer", "decimal"}): "decimal",
    frozenset({"float", "decimal"}): "decimal",
}


def infer_column(values: Sequence[object]) -> str:
    """The logical type of one column's values ("null" when all are None)."""
    kinds = set(map(type, values))
    only_ints = kinds == {int}
    kinds.discard(type(None))
    logical = "null"
    for kind in kinds:
        found = _BY_PYTYPE.get(kind, "json")
        if found == "integer":
            ints = (
                cast("Sequence[int]", values)
                if only_ints
                else [v for v in values if type(v) is int]
            )
            if min(ints) < INT64[0] or max(ints) > INT64[1]:
                found = "decimal"
        logical = merge_type(logical, found)
    return logical


def merge_type(a: str, b: str) -> str:
    """The type that holds values of both `a` and `b`."""
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    return _WIDER.get(frozenset({a, b}), "json")


def merge_columns(parts: Iterable[Sequence[tuple[str, str]]]) -> tuple[tuple[str, str], ...]:
    """Merge per-partition columns: first-appearance order, types widened to fit all."""
    merged: dict[str, str] = {}
    for columns in parts:
        for name, logical in columns:
            merged[name] = merge_type(merged.get(name, "null"), logical)
    return tuple(merged.items())


def from_arrow(schema: pa.Schema) -> tuple[tuple[str, str], ...]:
    """Logical column types of a pyarrow schema (Parquet output), in schema order."""
    return tuple((f.name, _arrow_logical(f.type)) for f in schema)


def _arrow_logical(kind: pa.DataType) -> str:
    """One arrow type as a logical type; timestamps and dates travel as ISO text."""
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "decimal" if kind == pa.uint64() else "integer"
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_decimal(kind):
        return "decimal"
    if pa.types.is_null(kind):
        return "null"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_temporal(kind):
        return "text"
    return "json"


def declared_logical(dialect: str, declared: str) -> str:
    """The logical type an existing column's declared type holds ("any" for no affinity)."""
    if dialect == "postgresql":  # format_type() names, e.g. "character varying(20)"
        return _PG_LOGICAL.get(declared.split("(")[0].strip(), declared)
    upper = declared.upper()
    for needle, logical in (
        ("BOOL", "boolean"),
        ("JSON", "json"),
        ("INT", "integer"),
        ("CHAR", "text"),
        ("CLOB", "text"),
        ("TEXT", "text"),
        ("REAL", "float"),
        ("FLOA", "float"),
        ("DOUB", "float"),
    ):
        if needle in upper:
            return logical
    return "any" if upper in ("", "BLOB") else "decimal"


def accepts(table_logical: str, incoming: str) -> bool:
    """Whether a column holding `table_logical` can store values of type `incoming`."""
    if table_logical in (incoming, "any", "json") or incoming == "null":
        return True
    return _WIDER.get(frozenset({table_logical, incoming})) == table_logical


def fit_columns(
    dialect: str, target: str, existing: Mapping[str, str], incoming: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """Check incoming columns against an existing table's; return each column's table type.

    `existing` maps column name to declared type. A missing column, or one whose type
    cannot hold the records' values, is refused with both types named.
    """
    fitted: dict[str, str] = {}
    for name, logical in incoming:
        if name not in existing:
            ddl = DECLARED[dialect]["json" if logical == "null" else logical]
            raise SinkError(
                f"table {target} has no column {name!r}, which the records hold: "
                f"add it ({ddl}) or load into a new table"
            )
        held = declared_logical(dialect, existing[name])
        if not accepts(held, logical):
            shown = DECLARED[dialect].get(logical, logical)
            raise SinkError(
                f"table {target} column {name!r} is {existing[name]} but the "
                f"records hold {logical} values ({shown}): change the column's "
                "type or load into a new table"
            )
        fitted[name] = "json" if "json" in (held, logical) else logical
    return fitted
