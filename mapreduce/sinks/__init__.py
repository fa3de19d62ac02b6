"""Database outputs: load a run's part files into a SQLite or PostgreSQL table.

    engine                          sinks
    ──────                          ─────
    parse_sink_url(-o) ───────────► SinkURL (redacted form for logs, ledger, _SUCCESS)
    LoadSpec(url, key, ts, unit)
    check_sink(spec) ─────────────► connect, validate names and an existing table
    reduce partition i ─► part-i.jsonl
    stage_partition(StageTask) ───► PostgreSQL: COPY into an UNLOGGED staging table
       (workers, in parallel)         SQLite: decode, validate, infer columns, and bind the
                                      rows into `<part file>.stage.db` (the database is not
                                      touched; apply ATTACHes it and copies with one INSERT)
    apply_load(spec, run, parts) ─► one transaction: create or fit the table, apply every
                                      partition with the mode's rule, marker row, drop staging
    discard_load(spec, run) ──────► drop a failed run's staging tables

Modes: upsert-latest (default with a timestamp: per key, the row with the latest instant;
ties go to the incoming row), upsert (default otherwise: last loaded wins), append, replace.
The instant is kept exactly in `_mr_instant` (PostgreSQL NUMERIC nanoseconds) or
`_mr_instant_s` + `_mr_instant_ns` (SQLite); `_mr_loads` records every applied run, in the
same transaction, so applying a run twice changes nothing.
"""

from __future__ import annotations

from mapreduce.sinks.columns import from_arrow
from mapreduce.sinks.load import (
    apply_load,
    check_sink,
    discard_load,
    discard_stored,
    stage_partition,
)
from mapreduce.sinks.names import validate_name
from mapreduce.sinks.spec import (
    MODES,
    LoadResult,
    LoadSpec,
    SinkError,
    StageResult,
    StageTask,
)
from mapreduce.sinks.url import SinkURL, parse_sink_url

__all__ = [
    "MODES",
    "LoadResult",
    "LoadSpec",
    "SinkError",
    "SinkURL",
    "StageResult",
    "StageTask",
    "apply_load",
    "check_sink",
    "discard_load",
    "discard_stored",
    "from_arrow",
    "parse_sink_url",
    "stage_partition",
    "validate_name",
]
