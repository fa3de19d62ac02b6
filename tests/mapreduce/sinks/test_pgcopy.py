"""COPY text built on columns: PostgreSQL reads it exactly as it reads psycopg's write_row."""

from __future__ import annotations

from typing import Any

import orjson
import psycopg
from hypothesis import given
from hypothesis import strategies as st
from psycopg import sql
from psycopg.types.json import Jsonb

from mapreduce.sinks.pgcopy import column_text, copy_payload, instant_text, ordinal_text
from tests.mapreduce.sinks.conftest import Target

NASTY = [
    "tab\there",
    "new\nline",
    "cr\rlf\r\n",
    "back\\slash",
    "\\N",
    "é ✓ 𝄞",
    "",
    None,
    'quote"s',
    "\\t literal",
]
COLUMNS: list[tuple[str, str, str, list[Any]]] = [
    ("t", "text", "TEXT", NASTY),
    ("i", "integer", "BIGINT", [0, -1, 2**63 - 1, -(2**63), None, 7, 8, 9, 10, 11]),
    (
        "f",
        "float",
        "DOUBLE PRECISION",
        [0.1 + 0.2, 1e300, 5e-324, -0.0, 2**60 + 1, 3, None, 1974.99, 1e16, -2.5],
    ),
    ("d", "decimal", "NUMERIC", [2**70, -(2**80), 1.5, 0, None, 1e20, 3, 4, 5, 6]),
    ("b", "boolean", "BOOLEAN", [True, False, None, True, False, True, None, False, True, True]),
    (
        "j",
        "json",
        "JSONB",
        [
            {"a": "x\ty", "b": [1, 2.5, None]},
            [1, "\\"],
            "text",
            5,
            True,
            None,
            {"é": {"nested": "\n"}},
            1.5,
            [],
            {},
        ],
    ),
    ("n", "null", "JSON", [None] * 10),
]


def _load(
    conn: psycopg.Connection,
    table: sql.Identifier,
    rows: list[tuple[Any, ...]] | None,
    payload: memoryview | None,
) -> list[tuple[Any, ...]]:
    names = [c[0] for c in COLUMNS] + ["instant", "line"]
    with (
        conn.cursor() as cur,
        cur.copy(
            sql.SQL("COPY {} ({}) FROM STDIN").format(
                table, sql.SQL(", ").join(map(sql.Identifier, names))
            )
        ) as copy,
    ):
        if payload is not None:
            copy.write(payload)
        for row in rows or ():
            copy.write_row(row)
    return conn.execute(sql.SQL("SELECT * FROM {} ORDER BY line").format(table)).fetchall()


def test_copy_text_lands_as_write_row_does(pg_target: Target) -> None:
    seconds = [0, -1, 253402300799, -62135596800, 1, 2, 3, 4, 5, 10_000_000_000]
    nanos = [0, 999999999, 999999999, 0, 5, 6, 7, 8, 9, 1]
    with pg_target.connect() as conn:
        conn.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(pg_target.schema)))
        defs = ", ".join(f"{n} {ddl}" for n, _, ddl, _ in COLUMNS)
        for name in ("by_rows", "by_columns"):
            conn.execute(f"CREATE TABLE {name} ({defs}, instant NUMERIC, line BIGINT)")
        values = [
            [None if v is None else Jsonb(v) for v in values] if logical == "json" else values
            for _, logical, _, values in COLUMNS
        ]
        instants = [s * 10**9 + n for s, n in zip(seconds, nanos, strict=True)]
        rows = list(zip(*values, instants, range(1, 11), strict=True))
        expected = _load(conn, sql.Identifier("by_rows"), rows, None)
        texts = [column_text(values, logical) for _, logical, _, values in COLUMNS]
        payload = copy_payload([*texts, instant_text(seconds, nanos), ordinal_text(1, 10)])
        assert _load(conn, sql.Identifier("by_columns"), None, payload) == expected


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_a_line_without_a_backslash_needs_no_copy_escapes(value: object) -> None:
    # read_batches skips the escaping passes of a batch whose lines hold no backslash:
    # then no string in it, nor orjson's text of any value in it, needs escaping.
    line = orjson.dumps({"v": value})
    if b"\\" not in line:
        texts = [orjson.dumps(value).decode(), *_strings(value)]
        assert not any(c in text for text in texts for c in "\\\t\n\r")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
