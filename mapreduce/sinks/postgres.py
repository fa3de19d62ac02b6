"""PostgreSQL plumbing shared by staging and apply: connections, errors, catalog lookups.

Every name reaching SQL goes through `pg_ident` (validated, then `sql.Identifier`);
values are always parameters. Connection errors become one sentence with the redacted
URL: libpq's message never holds the password, and any copy of it is scrubbed anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import psycopg
from psycopg import sql

from mapreduce.sinks.columns import declared_logical, fit_columns
from mapreduce.sinks.names import validate_name
from mapreduce.sinks.spec import LoadSpec, SinkError

__all__ = [
    "INSTANT_COLUMN",
    "MARKER_TABLE",
    "ORDINAL_COLUMN",
    "Columns",
    "check_postgres",
    "check_table",
    "connect",
    "describe",
    "message",
    "pg_ident",
    "stage_name",
    "stage_prefix",
]

INSTANT_COLUMN = "_mr_instant"  # NUMERIC: exact nanoseconds since the epoch
ORDINAL_COLUMN = "_mr_line"  # staging only: the record's line in its part file
MARKER_TABLE = "_mr_loads"
_CONNECT_TIMEOUT_S = "10"

Columns = dict[str, str]  # column name -> format_type(), in table order


def pg_ident(*names: str, what: str = "column") -> sql.Identifier:
    """The validated name(s) as a PostgreSQL identifier (`schema.table` with two names)."""
    return sql.Identifier(*(validate_name(n, "postgresql", what) for n in names))


@contextlib.contextmanager
def connect(spec: LoadSpec) -> Iterator[tuple[psycopg.Connection, str]]:
    """A connection and the schema the load works in (the URL's, else current_schema())."""
    params = {"connect_timeout": _CONNECT_TIMEOUT_S, **spec.url.conninfo_params()}
    try:
        conn = psycopg.connect(**params)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise SinkError(
            f"cannot connect to {spec.url.redacted}: {message(spec, exc)}: check "
            "the host, port, database, user and password (in the URL, "
            "PGPASSWORD or ~/.pgpass)"
        ) from None
    with conn:
        schema = spec.url.schema or conn.execute("SELECT current_schema()").fetchone()[0]  # type: ignore[index]
        if schema is None or describe(conn, schema, None) is None:
            conn.rollback()
            raise SinkError(
                f"schema {schema or '(none on the search_path)'} does not exist in "
                f"{spec.url.redacted}: create it or name another with ?schema="
            )
        conn.rollback()
        yield conn, schema


def message(spec: LoadSpec, exc: BaseException) -> str:
    """The first line of a server or libpq error, without any copy of the password."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    for prefix in ("connection failed: ", "ERROR:  ", "FATAL:  "):
        text = text.removeprefix(prefix)
    if spec.url.password:
        text = text.replace(spec.url.password, "***")
    return text.rstrip(".")


def describe(conn: psycopg.Connection, schema: str, table: str | None) -> Columns | None:
    """A table's columns and types; None if it is missing (with table None: the schema)."""
    if table is None:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        return {} if found.fetchone() else None
    oid = conn.execute(
        "SELECT to_regclass(%s)::oid", (pg_ident(schema, table).as_string(conn),)
    ).fetchone()[0]  # type: ignore[index]
    if oid is None:
        return None
    rows = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        (oid,),
    ).fetchall()
    return dict(rows)


def check_table(
    conn: psycopg.Connection,
    spec: LoadSpec,
    schema: str,
    existing: Columns,
    incoming: tuple[tuple[str, str], ...],
) -> dict[str, str]:
    """Fit incoming columns to an existing table, which needs a unique key for upserts."""
    target = f"{schema}.{spec.table}"
    if (
        spec.has_instant
        and declared_logical("postgresql", existing.get(INSTANT_COLUMN, "")) != "decimal"
    ):
        raise SinkError(
            f"table {target} has no NUMERIC {INSTANT_COLUMN} column, so it was not "
            "created by a load with a timestamp: load into a new table"
        )
    fitted = fit_columns("postgresql", target, existing, incoming)
    if spec.mode == "append":
        return fitted
    unique = conn.execute(
        "SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(%s) AND i.indisunique"
        " AND i.indnkeyatts = 1 AND i.indpred IS NULL AND a.attname = %s",
        (pg_ident(schema, spec.table).as_string(conn), spec.key_field),
    ).fetchone()
    if unique is None:
        raise SinkError(
            f"table {target} has no primary key or unique index on "
            f"{spec.key_field!r}, which mode={spec.mode} needs: add one or use "
            "mode=append"
        )
    return fitted


def check_postgres(spec: LoadSpec) -> None:
    """Connect, find the schema, and check an existing table can take the load."""
    with connect(spec) as (conn, schema):
        existing = describe(conn, schema, spec.table)
        if existing is not None:
            names = ((spec.key_field, "null"),)
            check_table(conn, spec, schema, existing, names if spec.mode != "append" else ())
        conn.rollback()


def stage_prefix(spec: LoadSpec, schema: str, run_id: str) -> str:
    """The staging tables' name prefix of one run into one table (fits in 63 bytes)."""
    digest = hashlib.sha1(f"{schema}\0{spec.table}\0{run_id}".encode()).hexdigest()[:16]
    return f"_mr_stage_{digest}_"


def stage_name(spec: LoadSpec, schema: str, run_id: str, partition: int) -> str:
    """The staging table of one partition."""
    return f"{stage_prefix(spec, schema, run_id)}{partition:05d}"


def lock_key(name: str) -> sql.Composed:
    """An advisory lock id derived from a name, as SQL."""
    return sql.SQL("hashtextextended({}, 0)").format(sql.Literal(name))
