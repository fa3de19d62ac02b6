"""Eight runs loading one table at once, in separate processes: no errors, nothing lost.

Every run writes every key (so their upserts collide on every row), each run with its own
instant per key; the table must end with, per key, the row of the latest instant.
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from dataclasses import replace
from pathlib import Path

from mapreduce.sinks import LoadSpec
from tests.mapreduce.sinks.conftest import Target, load, write_parts

RUNS = 8
KEYS = 600
PARTITIONS = 3


def instant(run: int, key: int) -> int:
    """Run `run`'s timestamp for `key`: a different run is the latest for each key."""
    return 1_700_000_000 + ((key * 7 + run * 3) % RUNS) * 60


def _one_run(spec: LoadSpec, run: int, folder: Path, barrier: object) -> None:
    """Child process: write this run's partitions, wait for the others, load."""
    try:
        rng = random.Random(run)
        keys = list(range(KEYS))
        rng.shuffle(keys)  # partitions hold disjoint keys, each sorted by key
        partitions = [sorted(keys[p::PARTITIONS]) for p in range(PARTITIONS)]
        records = [
            [{"id": k, "run": run, "updated_at": instant(run, k)} for k in part]
            for part in partitions
        ]
        parts = write_parts(folder, records, f"run{run}")
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        load(spec, f"run-{run}", parts)
    except BaseException:
        (folder / f"error-{run}.txt").write_text(traceback.format_exc())
        raise SystemExit(1) from None


def run_concurrently(spec: LoadSpec, folder: Path) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(RUNS)
    children = [
        context.Process(target=_one_run, args=(spec, run, folder, barrier)) for run in range(RUNS)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=300)
    errors = [p.read_text() for p in sorted(folder.glob("error-*.txt"))]
    assert not errors, errors[0]
    assert [c.exitcode for c in children] == [0] * RUNS


def expected() -> dict[int, int]:
    """Per key, the run holding its latest instant (ties cannot happen here)."""
    return {k: max(range(RUNS), key=lambda run: instant(run, k)) for k in range(KEYS)}


def test_eight_concurrent_loads_into_one_sqlite_database(
    sqlite_target: Target, tmp_path: Path
) -> None:
    # A tiny busy timeout makes writers hit SQLITE_BUSY and go through the retry loop.
    spec = replace(sqlite_target.spec(), busy_timeout_s=0.01)
    run_concurrently(spec, tmp_path)
    rows = sqlite_target.rows()
    assert {r["id"]: r["run"] for r in rows} == expected()
    assert len(sqlite_target.rows("_mr_loads", key="run_id")) == RUNS


def test_eight_concurrent_loads_into_one_postgresql_table(
    pg_target: Target, tmp_path: Path
) -> None:
    run_concurrently(pg_target.spec(), tmp_path)
    assert {r["id"]: r["run"] for r in pg_target.rows()} == expected()
    assert len(pg_target.rows("_mr_loads", key="run_id")) == RUNS
    with pg_target.connect() as conn:  # every staging table was dropped
        left = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND"
            " tablename LIKE '\\_mr\\_stage%%'",
            (pg_target.schema,),
        ).fetchone()
    assert left == (0,)


def test_eight_concurrent_appends_lose_nothing(target: Target, tmp_path: Path) -> None:
    spec = replace(target.spec(mode="append"), busy_timeout_s=0.01)
    run_concurrently(spec, tmp_path)
    rows = target.rows()
    assert len(rows) == RUNS * KEYS
    assert sorted((r["run"], r["id"]) for r in rows) == [
        (run, k) for run in range(RUNS) for k in range(KEYS)
    ]
