"""Names: validated by one rule, always quoted, never truncated by PostgreSQL."""

from __future__ import annotations

import pytest

from mapreduce.sinks import SinkError, validate_name
from mapreduce.sinks.names import quote_sqlite
from mapreduce.sinks.postgres import pg_ident

HOSTILE = [
    "users; DROP TABLE x",
    'a"b',
    "a'b",
    "x -- y",
    "",
    " users",
    "users ",
    "1users",
    "a\x00b",
    "a\nb",
    "a/*b*/",
    "tab\tle",
    "a;b",
    None,
    7,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(name: object) -> None:
    with pytest.raises(SinkError, match="is not allowed"):
        validate_name(name, "postgresql", "column")


@pytest.mark.parametrize(
    "name", ["users", "first name", "e-mail", "_id", "Zoë", "über_2", "ORDER", "select"]
)
def test_ordinary_names_pass_and_are_quoted(name: str) -> None:
    assert validate_name(name, "sqlite", "column") == name
    assert quote_sqlite(name) == f'"{name}"'


def test_postgresql_refuses_names_it_would_truncate() -> None:
    fits = "a" * 63
    assert validate_name(fits, "postgresql", "table") == fits
    with pytest.raises(SinkError, match="64 bytes long, and PostgreSQL would truncate"):
        validate_name("a" * 64, "postgresql", "table")
    with pytest.raises(SinkError, match="bytes long"):  # 32 characters, 64 bytes
        validate_name("é" * 32, "postgresql", "column")
    assert validate_name("a" * 64, "sqlite", "table") == "a" * 64


def test_sqlite_internal_table_names_are_refused() -> None:
    with pytest.raises(SinkError, match="reserved by SQLite"):
        validate_name("sqlite_master", "sqlite", "table")


def test_pg_ident_quotes_validated_parts() -> None:
    assert pg_ident("sales", "users", what="table").as_string(None) == '"sales"."users"'
    with pytest.raises(SinkError):
        pg_ident("users; DROP TABLE x")
