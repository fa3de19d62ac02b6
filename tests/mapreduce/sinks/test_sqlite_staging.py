"""SQLite staging files: apply's copy of them gives the table, byte for byte and type for
type, that binding every row from the part files gives."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mapreduce.sinks import LoadSpec, StageTask, apply_load, parse_sink_url, stage_partition
from mapreduce.sinks.decode import Decoded
from mapreduce.sinks.records import Batch
from mapreduce.sinks.stagefile import SUFFIX, StageWriter, open_stage
from tests.mapreduce.sinks.conftest import write_parts


def _records(partition: int, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(count):
        key = i % 7  # the same keys in every partition: the later partition or line wins
        rows.append(
            {
                "id": key,
                "name": f"n{partition}-{i}\t\\é 𝄞",
                "score": [1, 2.5, None][i % 3],
                "flag": [True, False, None][i % 3],
                "tags": [["a", {"b": "\n"}], None][i % 2],
                # text here, an object in partition 1: a JSON column for the whole run
                "mixed": {"p": partition} if partition == 1 else f"text {i}",
                "updated_at": [
                    "2024-01-01T00:00:00Z",
                    1704067200,
                    "2024-01-01T02:00:00+02:00",
                    "2023-12-31T23:59:59.999999999Z",
                ][(i + partition) % 4],
                **({"late": i} if partition == 2 else {}),
            }
        )
    return rows


def _table(db: Path, table: str = "users") -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        typed = ", ".join(f"{n}, typeof({n})" for n in names)
        rows = conn.execute(f"SELECT {typed} FROM {table} ORDER BY id").fetchall()
        schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    conn.close()
    return [schema, *rows]


def _load(
    tmp_path: Path,
    name: str,
    partitions: list[list[dict[str, Any]]],
    mode: str,
    staged: bool,
    batch_rows: int = 5,
) -> tuple[list[tuple[Any, ...]], int, int]:
    db = tmp_path / f"{name}.db"
    url = parse_sink_url(f"sqlite:///{db}?table=users&mode={mode}")
    assert url is not None
    spec = LoadSpec(url, "id", "updated_at", batch_rows=batch_rows)
    parts = write_parts(tmp_path, partitions, name)
    written = []
    for run in ("r", "r2"):  # a new table, then the same rows into it again: conflicts
        results = [stage_partition(StageTask(run, n, str(p), spec)) for n, p in parts]
        assert all(Path(f"{p}{SUFFIX}").exists() for _, p in parts)
        if not staged:  # what apply does without staging files: bind every row itself
            for _, path in parts:
                Path(f"{path}{SUFFIX}").unlink()
        written.append(apply_load(spec, run, parts, results).rows_written)
        assert not any(Path(f"{p}{SUFFIX}").exists() for _, p in parts)
    return _table(db), *written


@pytest.mark.parametrize("mode", ["upsert-latest", "upsert", "append", "replace"])
def test_staged_copy_equals_rows_bound_from_the_part_files(tmp_path: Path, mode: str) -> None:
    partitions = [_records(p, 23) for p in range(3)]
    staged = _load(tmp_path, "staged", partitions, mode, staged=True)
    bound = _load(tmp_path, "bound", partitions, mode, staged=False)
    assert staged == bound
    assert any(row[11] == "text" and row[10].startswith('"text') for row in staged[0][1:])


def test_more_partitions_than_sqlite_attaches_at_once(tmp_path: Path) -> None:
    partitions = [
        [{"id": p * 100 + i, "name": f"p{p}", "updated_at": i} for i in range(9)] for p in range(13)
    ]  # SQLite attaches at most 10 databases at once
    staged = _load(tmp_path, "staged", partitions, "upsert-latest", staged=True)
    bound = _load(tmp_path, "bound", partitions, "upsert-latest", staged=False)
    assert staged == bound and len(staged[0]) == 1 + 13 * 9


def test_a_staged_json_column_whose_other_partition_is_plain_is_not_copied(tmp_path: Path) -> None:
    # partition 0 holds objects (staged as JSON text), partition 1 plain ints: the table's
    # column is JSON, so partition 1's staged ints would land as 5, not the JSON text "5"
    partitions = [
        [{"id": 1, "v": {"a": 1}, "updated_at": 1}],
        [{"id": 2, "v": 5, "updated_at": 1}],
        [{"id": 3, "v": "five", "updated_at": 1}],
    ]
    staged = _load(tmp_path, "staged", partitions, "upsert-latest", staged=True)
    assert [row[2:4] for row in staged[0][1:]] == [
        ('{"a":1}', "text"),
        ("5", "text"),
        ('"five"', "text"),
    ]


def test_overlapping_attempts_in_one_process_each_write_their_own_file(tmp_path: Path) -> None:
    # a timed-out attempt may still be staging in one thread while its retry starts in
    # another: each writes a file of its own, and either published file is whole
    part = write_parts(tmp_path, [[{"id": 1}]])[0][1]
    first, retry = StageWriter(str(part), ()), StageWriter(str(part), ())
    batch = Decoded(Batch(str(part), 1, [{"id": 1}]), ["id"], (("id", "integer"),), {"id": [1]})
    for writer in (first, retry):
        writer.write(batch, [])
    retry.publish()
    first.publish()
    stage = open_stage(str(part))
    assert stage is not None and stage.columns == ("id",)
    with sqlite3.connect(stage.path) as conn:
        assert conn.execute("SELECT id FROM _mr_rows").fetchall() == [(1,)]
    conn.close()
    assert not list(part.parent.glob("*.tmp"))
