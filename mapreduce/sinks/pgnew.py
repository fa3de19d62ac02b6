"""PostgreSQL apply's new tables: created from the inferred types, or adopted from staging.

A run into a missing table stages partition 0 into a logged table (`pgstage.py`); if its
columns are exactly the new table's, it is renamed into it inside the apply transaction,
its line numbers dropped, so its rows are never copied a second time (with two
partitions, half of the copy). The other partitions are inserted into it as before. A
rename is as atomic as a CREATE: a failed or killed apply leaves the staging table as it
was.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from mapreduce.sinks.columns import DECLARED
from mapreduce.sinks.postgres import INSTANT_COLUMN, ORDINAL_COLUMN, Columns, pg_ident
from mapreduce.sinks.spec import LoadSpec

__all__ = ["adopt", "create_table", "new_columns", "staged_rows"]


def new_columns(spec: LoadSpec, incoming: Sequence[tuple[str, str]]) -> Columns:
    """A new table's columns and types (as the catalog spells them), in table order."""
    types = DECLARED["postgresql"]
    columns = {n: types["json" if t == "null" else t].lower() for n, t in incoming}
    if spec.has_instant:
        columns[INSTANT_COLUMN] = "numeric"
    return columns


def create_table(
    conn: psycopg.Connection, spec: LoadSpec, schema: str, incoming: Sequence[tuple[str, str]]
) -> Columns:
    """CREATE TABLE from the inferred types, its primary key added after the first rows:
    one index build by sorting is several times faster than a million index insertions."""
    columns = new_columns(spec, incoming)
    defs = [sql.SQL("{} {}").format(pg_ident(n), sql.SQL(t)) for n, t in columns.items()]
    conn.execute(
        sql.SQL("CREATE TABLE {} ({})").format(
            pg_ident(schema, spec.table, what="table"), sql.SQL(", ").join(defs)
        )
    )
    return columns


def adopt(
    conn: psycopg.Connection,
    spec: LoadSpec,
    schema: str,
    incoming: Sequence[tuple[str, str]],
    stages: dict[int, tuple[str, Columns]],
) -> tuple[Columns, dict[int, tuple[str, Columns]], int]:
    """The new table, from the logged staging table (partition 0's; of several, the
    biggest) that has exactly its columns, renamed, its line numbers dropped: its rows
    are not copied; else created empty. Also the stages left to insert, and the rows
    adopted."""
    wanted = new_columns(spec, incoming)
    staged = [*wanted.items(), (ORDINAL_COLUMN, "bigint")]
    best: tuple[int, str, int] | None = None
    for number, (name, columns) in stages.items():
        if list(columns.items()) == staged and logged(conn, schema, name):
            rows = staged_rows(conn, schema, name)
            if best is None or rows > best[2]:
                best = (number, name, rows)
    if best is None:
        return create_table(conn, spec, schema, incoming), stages, 0
    number, name, rows = best
    table = pg_ident(schema, name, what="table")
    conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(table, pg_ident(ORDINAL_COLUMN)))
    conn.execute(sql.SQL("COMMENT ON TABLE {} IS NULL").format(table))
    conn.execute(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(table, pg_ident(spec.table, what="table"))
    )
    return wanted, {p: stage for p, stage in stages.items() if p != number}, rows


def logged(conn: psycopg.Connection, schema: str, name: str) -> bool:
    """Whether a staging table is logged (staged while the target did not exist)."""
    found = conn.execute(
        "SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)",
        (pg_ident(schema, name, what="table").as_string(conn),),
    ).fetchone()
    return found is not None and found[0] == "p"


def staged_rows(conn: psycopg.Connection, schema: str, name: str) -> int:
    """A staging table's rows: the count its stage wrote in its comment, else counted."""
    table = pg_ident(schema, name, what="table")
    noted = conn.execute(
        "SELECT obj_description(to_regclass(%s), 'pg_class')", (table.as_string(conn),)
    ).fetchone()
    if noted and noted[0] and str(noted[0]).isdigit():
        return int(noted[0])
    return int(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0])  # type: ignore[index]
