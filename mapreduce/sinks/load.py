"""The four calls the engine makes, dispatched on the URL's dialect.

check_sink(spec)                          before any map work: connect, validate
stage_partition(StageTask) -> StageResult one per reduce partition, in workers
apply_load(spec, run_id, partitions)      one transaction: the run's rows, the marker
discard_load(spec, run_id)                a failed or purged run's staging tables
discard_stored(out, run_id)               the same, from OUT as the ledger stores it
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from os import PathLike

from mapreduce.sinks.spec import LoadResult, LoadSpec, SinkError, StageResult, StageTask
from mapreduce.sinks.sqlite import apply_sqlite, check_sqlite, stage_sqlite
from mapreduce.sinks.url import parse_sink_url

__all__ = ["apply_load", "check_sink", "discard_load", "discard_stored", "stage_partition"]

# The PostgreSQL modules are imported where a postgresql:// output is used: importing
# psycopg costs ~60 ms, which every `mapreduce` start would otherwise pay.


def check_sink(spec: LoadSpec) -> None:
    """Connect and check the table can take the load; SinkError in one sentence if not."""
    if spec.url.dialect == "sqlite":
        check_sqlite(spec)
    else:
        from mapreduce.sinks.postgres import check_postgres

        check_postgres(spec)


def stage_partition(task: StageTask) -> StageResult:
    """Stage one part file (PostgreSQL: COPY into its staging table; SQLite: validate)."""
    if task.spec.url.dialect == "sqlite":
        return stage_sqlite(task)
    from mapreduce.sinks.pgstage import stage_postgres

    return stage_postgres(task)


def apply_load(
    spec: LoadSpec,
    run_id: str,
    partitions: Sequence[tuple[int, str | PathLike[str]]],
    staged: Sequence[StageResult] | None = None,
) -> LoadResult:
    """Apply every partition of a run in one transaction; re-applying a run is a no-op.

    `staged` (the stage results, if the caller kept them) spares SQLite a second read
    of the part files to infer the columns; PostgreSQL reads them from the staging tables.
    """
    parts = [(number, str(path)) for number, path in partitions]
    if spec.url.dialect == "sqlite":
        return apply_sqlite(spec, run_id, parts, staged)
    from mapreduce.sinks.pgapply import apply_postgres

    return apply_postgres(spec, run_id, parts, staged)


def discard_load(spec: LoadSpec, run_id: str) -> None:
    """Drop what a run staged and will never apply (SQLite stages nothing)."""
    if spec.url.dialect == "postgresql":
        from mapreduce.sinks.pgapply import discard_postgres

        discard_postgres(spec, run_id)


def discard_stored(out: str, run_id: str) -> None:
    """Drop what a purged run staged, from its OUT as stored (a folder: nothing to do).

    The stored URL has no password: libpq finds it in PGPASSWORD or ~/.pgpass, or the
    connection fails and the tables stay (a database out of reach is not a purge error).
    """
    url = parse_sink_url(out)
    if url is None or url.dialect != "postgresql":
        return
    with contextlib.suppress(SinkError):
        discard_load(LoadSpec(url, "key", mode="append"), run_id)  # only the names matter
