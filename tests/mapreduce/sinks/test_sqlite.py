"""SQLite specifics: the write lock, WAL, the instant columns, and what SQLite cannot hold."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mapreduce.sinks import SinkError, StageTask, apply_load, check_sink, stage_partition
from tests.mapreduce.sinks.conftest import Target, load, write_parts


def test_a_long_held_write_lock_is_waited_for(sqlite_target: Target, tmp_path: Path) -> None:
    spec = replace(sqlite_target.spec(), busy_timeout_s=0.02)
    check_sink(spec)
    holder = sqlite3.connect(spec.url.path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    released.start()
    started = time.monotonic()
    try:
        load(spec, "r", write_parts(tmp_path, [[{"id": 1, "updated_at": 1}]]))
    finally:
        released.join()
        holder.close()
    assert time.monotonic() - started >= 0.4
    assert len(sqlite_target.rows()) == 1


def test_wal_and_the_instant_columns(sqlite_target: Target, tmp_path: Path) -> None:
    load(
        sqlite_target.spec(),
        "r",
        write_parts(tmp_path, [[{"id": 1, "updated_at": "1969-12-31T23:59:59.5Z"}]]),
    )
    with sqlite_target.connect() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        row = conn.execute("SELECT _mr_instant_s, _mr_instant_ns FROM users").fetchone()
    assert row == (-1, 500_000_000)  # floor seconds, then the nanoseconds past them


def test_integers_beyond_64_bits_are_refused(sqlite_target: Target, tmp_path: Path) -> None:
    parts = write_parts(tmp_path, [[{"id": 1, "big": 2**63, "updated_at": 1}]])
    with pytest.raises(SinkError, match="column 'big' holds integers beyond 64 bits"):
        load(sqlite_target.spec(), "r", parts)


def test_fields_only_case_tells_apart_are_refused(sqlite_target: Target, tmp_path: Path) -> None:
    """SQLite's names ignore case: the load failed 3 times with "duplicate column name"."""
    parts = write_parts(tmp_path, [[{"id": 1, "ID": 2, "updated_at": 1}]])
    with pytest.raises(SinkError, match="fields 'id' and 'ID', which SQLite cannot hold as two"):
        load(sqlite_target.spec(), "r", parts)


def test_a_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    target = Target("sqlite", f"sqlite:///{tmp_path / 'no' / 'such.db'}", None, tmp_path)
    with pytest.raises(SinkError, match=r"cannot open .*: folder .* does not exist"):
        check_sink(target.spec())


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "out.db").write_text("not a database, just text" * 100)
    target = Target("sqlite", f"sqlite:///{tmp_path / 'out.db'}", None, tmp_path)
    with pytest.raises(SinkError, match="file is not a database"):
        check_sink(target.spec())


def test_invalid_json_names_the_line(sqlite_target: Target, tmp_path: Path) -> None:
    parts = write_parts(tmp_path, [[{"id": 1, "updated_at": 1}]])
    with parts[0][1].open("ab") as f:
        f.write(b'{"id": 2, "updated_at": \n')
    with pytest.raises(SinkError, match=r"part-00000.jsonl line 2: invalid JSON"):
        load(sqlite_target.spec(), "r", parts)
    parts[0][1].write_bytes(b"[1, 2]\n")
    with pytest.raises(SinkError, match=r"line 1: a record must be a JSON object"):
        load(sqlite_target.spec(), "r", parts)


def test_staging_files_are_used_when_fresh_ignored_when_stale_and_removed(
    sqlite_target: Target, tmp_path: Path
) -> None:
    spec = sqlite_target.spec()
    parts = write_parts(tmp_path, [[{"id": 1, "name": "staged", "updated_at": 1}]])
    part = parts[0][1]
    staged = [stage_partition(StageTask("r", 0, str(part), spec))]
    stage_file = Path(f"{part}.stage.db")
    assert stage_file.exists() and not list(tmp_path.rglob("*.tmp"))
    # Apply copies the staging file's rows, not the part file's: mark the staged row.
    with sqlite3.connect(stage_file) as conn:
        conn.execute("UPDATE _mr_rows SET name = 'from the staging file'")
    conn.close()
    apply_load(spec, "r", parts, staged)
    assert [r["name"] for r in sqlite_target.rows()] == ["from the staging file"]
    assert not stage_file.exists()
    # The part file changes after staging (a re-run reduce): the staging file is stale.
    stage_partition(StageTask("r2", 0, str(part), spec))
    part.write_bytes(b'{"id": 1, "name": "rewritten", "updated_at": 2}\n')
    apply_load(spec, "r2", parts, staged)
    assert [r["name"] for r in sqlite_target.rows()] == ["rewritten"]
    assert not stage_file.exists()


def test_a_failed_stage_leaves_no_staging_file(sqlite_target: Target, tmp_path: Path) -> None:
    parts = write_parts(tmp_path, [[{"id": 1, "updated_at": 1}, {"id": None, "updated_at": 1}]])
    with pytest.raises(SinkError, match="line 2"):
        stage_partition(StageTask("r", 0, str(parts[0][1]), sqlite_target.spec()))
    assert [p.name for p in parts[0][1].parent.iterdir()] == ["part-00000.jsonl"]


def test_a_new_database_gets_big_pages_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    existing = tmp_path / "existing.db"
    with sqlite3.connect(existing) as conn:
        conn.execute("CREATE TABLE other (x)")
    conn.close()
    for db, size in ((tmp_path / "new.db", 65536), (existing, 4096)):
        target = Target("sqlite", f"sqlite:///{db}", None, tmp_path)
        load(target.spec(), "r", write_parts(tmp_path, [[{"id": 1, "updated_at": 1}]], db.stem))
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA page_size").fetchone() == (size,)
            assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)
        conn.close()


def test_a_run_that_fails_before_its_load_leaves_no_database_file(tmp_path: Path) -> None:
    """The sink's check at the start created the database (with its marker table), so a
    bad record in the map left a database file the user never got rows in."""
    from mapreduce import RunSpec, run
    from mapreduce.errors import BadRecordError

    data = tmp_path / "users.jsonl"
    data.write_text(
        '{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}\n{"id": null, "updated_at": 5}\n'
    )
    db = tmp_path / "users.db"
    spec = RunSpec("latest_by_key", (str(data),), f"sqlite:///{db}?table=users",
                   executor="sequential", state_dir=str(tmp_path / "state"))  # fmt: skip
    with pytest.raises(BadRecordError, match="key field 'id' is null"):
        run(spec)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state", "users.jsonl"]
    run(replace(spec, skip_bad_records=True))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT id FROM users").fetchall() == [(1,)]
