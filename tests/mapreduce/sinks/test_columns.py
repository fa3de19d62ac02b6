"""Column types: inferred from values or an arrow schema, merged, and fitted to tables."""

from __future__ import annotations

import pyarrow as pa
import pytest

from mapreduce.sinks import SinkError, from_arrow
from mapreduce.sinks.columns import accepts, fit_columns, infer_column, merge_columns


@pytest.mark.parametrize(
    ("values", "logical"),
    [
        ([1, 2, None], "integer"),
        ([True, None, False], "boolean"),
        ([1.5, 2], "float"),
        (["a", None], "text"),
        ([{"a": 1}, [1]], "json"),
        ([None, None], "null"),
        ([1, "1"], "json"),
        ([True, 1], "json"),
        ([2**63, 1], "decimal"),
        ([-(2**63), 2**63 - 1], "integer"),
        ([], "null"),
    ],
)
def test_infer_column(values: list[object], logical: str) -> None:
    assert infer_column(values) == logical


def test_merge_keeps_first_appearance_order_and_widens() -> None:
    merged = merge_columns(
        [
            [("id", "integer"), ("x", "null")],
            [("id", "integer"), ("y", "text"), ("x", "float")],
            [("x", "integer")],
        ]
    )
    assert merged == (("id", "integer"), ("x", "float"), ("y", "text"))


def test_from_arrow() -> None:
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("ok", pa.bool_()),
            ("x", pa.float32()),
            ("name", pa.string()),
            ("at", pa.timestamp("us", "UTC")),
            ("tags", pa.list_(pa.string())),
            ("big", pa.uint64()),
        ]
    )
    assert from_arrow(schema) == (
        ("id", "integer"),
        ("ok", "boolean"),
        ("x", "float"),
        ("name", "text"),
        ("at", "text"),
        ("tags", "json"),
        ("big", "decimal"),
    )


def test_accepts() -> None:
    assert accepts("float", "integer") and accepts("decimal", "integer")
    assert accepts("json", "text") and accepts("text", "null")
    assert not accepts("integer", "float") and not accepts("text", "integer")


def test_fit_names_the_column_and_both_types() -> None:
    with pytest.raises(SinkError) as info:
        fit_columns(
            "sqlite",
            "users",
            {"id": "INTEGER", "balance": "INTEGER"},
            [("id", "integer"), ("balance", "float")],
        )
    assert str(info.value) == (
        "table users column 'balance' is INTEGER but the records hold "
        "float values (REAL): change the column's type or load into a "
        "new table"
    )
    with pytest.raises(SinkError, match=r"has no column .city.*add it \(TEXT\)"):
        fit_columns(
            "postgresql", "s.users", {"id": "bigint"}, [("id", "integer"), ("city", "text")]
        )
    fitted = fit_columns(
        "postgresql",
        "s.users",
        {"id": "integer", "v": "jsonb", "n": "character varying(20)"},
        [("id", "integer"), ("v", "text"), ("n", "text")],
    )
    assert fitted == {"id": "integer", "v": "json", "n": "text"}
