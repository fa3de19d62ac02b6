"""Table, schema and column names: one rule to validate them, and SQLite's quoting.

A name is letters, digits and underscores, not starting with a digit, with single spaces
or hyphens allowed between words ("first name", "e-mail"). Anything else (quotes,
semicolons, control characters) is refused before any SQL is built, so a name like
`users; DROP TABLE x` is an error and never executed; valid names are still always
quoted. PostgreSQL silently truncates identifiers beyond 63 bytes, which could make two
columns one: such names are refused instead. Names starting with `_mr_` are ours.
PostgreSQL's quoting (`pg_ident`, through psycopg's `sql.Identifier`) lives in postgres.py,
so that parsing an output URL does not import psycopg.
"""

from __future__ import annotations

import re

from mapreduce.errors import SinkError

__all__ = ["PG_MAX_BYTES", "RESERVED_PREFIX", "quote_sqlite", "validate_name"]

PG_MAX_BYTES = 63  # NAMEDATALEN - 1
RESERVED_PREFIX = "_mr_"
_NAME = re.compile(r"[^\W\d]\w*(?:[ -]\w+)*")


def validate_name(name: object, dialect: str, what: str) -> str:
    """Return `name` if it is a safe `what` (table, schema, column) name, else raise SinkError.

    >>> validate_name("users; DROP TABLE x", "sqlite", "table")
    Traceback (most recent call last):
    ...
    mapreduce.sinks.spec.SinkError: table name 'users; DROP TABLE x' is not allowed: \
use letters, digits and underscores (spaces or hyphens between words), not starting with a digit
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise SinkError(
            f"{what} name {name!r} is not allowed: use letters, digits and "
            "underscores (spaces or hyphens between words), not starting with a digit"
        )
    if dialect == "postgresql" and len(name.encode()) > PG_MAX_BYTES:
        raise SinkError(
            f"{what} name {name!r} is {len(name.encode())} bytes long, and "
            f"PostgreSQL would truncate it to {PG_MAX_BYTES}: use a shorter name"
        )
    if dialect == "sqlite" and what == "table" and name.lower().startswith("sqlite_"):
        raise SinkError(f"table name {name!r} is reserved by SQLite: pick another name")
    return name


def quote_sqlite(name: str, what: str = "column") -> str:
    """The validated name as a quoted SQLite identifier."""
    return '"' + validate_name(name, "sqlite", what).replace('"', '""') + '"'
