"""`-o sqlite:///…` and `-o postgresql://…` end to end: the CLI, the ledger's load tasks, resume.

Real SQLite files; a real PostgreSQL server when MAPREDUCE_TEST_POSTGRES_URL names one
(`.ci/run` starts one), else those tests skip.
"""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import psycopg
import pytest

from mapreduce.cli import main
from mapreduce.engine.ledger import Ledger

PG_ENV = "MAPREDUCE_TEST_POSTGRES_URL"


def write_users(path: Path, rows: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def versions(keys: int, per_key: int, day: int = 1) -> list[dict]:
    """Users with `per_key` versions each, shuffled; the version v is at hour v of `day`."""
    rows = [
        {"id": k, "name": f"user{k}-v{v}", "updated_at": f"2024-03-{day:02d}T{v:02d}:00:00Z"}
        for v in range(per_key)
        for k in range(keys)
    ]
    return rows[::-1]


def latest_in_sqlite(db: Path, table: str = "users") -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        return dict(conn.execute(f'SELECT id, name FROM "{table}"').fetchall()) if found else {}


def run_cli(*args: str) -> int:
    return main(["run", "latest_by_key", *args, "--quiet"])


def test_latest_users_load_into_sqlite_and_an_older_batch_replaces_nothing(tmp_path):
    db = tmp_path / "out.db"
    url = f"sqlite:///{db}?table=users"
    new = write_users(tmp_path / "new.jsonl", versions(50, 4, day=2))
    old = write_users(tmp_path / "old.jsonl", versions(80, 4, day=1))
    state = str(tmp_path / "s")
    assert run_cli(str(new), "-o", url, "--state-dir", state) == 0
    expected = {k: f"user{k}-v3" for k in range(50)}
    assert latest_in_sqlite(db) == expected
    # The older batch arrives late: keys 0-49 keep their newer rows, 50-79 are added.
    assert run_cli(str(old), "-o", url, "--state-dir", state) == 0
    assert latest_in_sqlite(db) == {**expected, **{k: f"user{k}-v3" for k in range(50, 80)}}
    # Running the first job again changes nothing (and is recorded as a new, done run).
    assert run_cli(str(new), "-o", url, "--state-dir", state) == 0
    assert latest_in_sqlite(db) == {**expected, **{k: f"user{k}-v3" for k in range(50, 80)}}
    with Ledger(state) as ledger:
        runs = ledger.list_runs()
        assert [r.state for r in runs] == ["done"] * 3
        loads = [t for t in ledger.tasks(runs[0].run_id) if t.kind == "load"]
        assert [t.state for t in loads] == ["done", "done"]


def test_equal_instants_in_other_offsets_go_to_the_incoming_row(tmp_path):
    db = tmp_path / "out.db"
    url = f"sqlite:///{db}?table=users"
    first = write_users(
        tmp_path / "a.jsonl", [{"id": 1, "name": "first", "updated_at": "2024-03-01T12:00:00Z"}]
    )
    same = write_users(
        tmp_path / "b.jsonl",
        [{"id": 1, "name": "again", "updated_at": "2024-03-01T14:00:00+02:00"}],
    )
    assert run_cli(str(first), "-o", url, "--state-dir", str(tmp_path / "s")) == 0
    assert run_cli(str(same), "-o", url, "--state-dir", str(tmp_path / "s")) == 0
    assert latest_in_sqlite(db) == {1: "again"}


def test_a_failed_load_leaves_the_table_as_it_was_and_resume_completes_it(tmp_path, monkeypatch):
    db = tmp_path / "out.db"
    url = f"sqlite:///{db}?table=users"
    state = str(tmp_path / "s")
    assert (
        run_cli(
            str(write_users(tmp_path / "a.jsonl", versions(20, 2, 1))),
            "-o",
            url,
            "--state-dir",
            state,
        )
        == 0
    )
    before = latest_in_sqlite(db)
    monkeypatch.setenv("MAPREDUCE_FAULTS", "load:1:raise")
    newer = write_users(tmp_path / "b.jsonl", versions(40, 2, 2))
    args = [str(newer), "-o", url, "--state-dir", state, "--max-attempts", "1"]
    assert run_cli(*args) == 1
    assert latest_in_sqlite(db) == before  # partition 0 was staged, nothing was applied
    with Ledger(state) as ledger:
        failed = ledger.list_runs()[0]
    assert failed.state == "failed" and "load-00001" in (failed.error or "")
    monkeypatch.delenv("MAPREDUCE_FAULTS")
    assert main(["resume", failed.run_id, "--state-dir", state, "--quiet"]) == 0
    assert latest_in_sqlite(db) == {k: f"user{k}-v1" for k in range(40)}


def test_eight_jobs_load_one_sqlite_database_at_once(tmp_path):
    db = tmp_path / "out.db"
    procs = []
    for i in range(8):
        data = write_users(tmp_path / f"in{i}.jsonl", versions(200, 2, day=1 + i % 3))
        url = f"sqlite:///{db}?table=users"
        cmd = [
            sys.executable,
            "-m",
            "mapreduce",
            "run",
            "latest_by_key",
            str(data),
            "-o",
            url,
            "--quiet",
            "--workers",
            "1",
            "--state-dir",
            str(tmp_path / f"s{i}"),
        ]
        procs.append(subprocess.Popen(cmd, stderr=subprocess.PIPE))
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    assert latest_in_sqlite(db) == {k: f"user{k}-v1" for k in range(200)}


def test_hostile_table_names_are_refused_before_any_work(tmp_path, capsys):
    data = write_users(tmp_path / "a.jsonl", versions(3, 1))
    url = f"sqlite:///{tmp_path / 'x.db'}?table=users;%20DROP%20TABLE%20x"
    assert run_cli(str(data), "-o", url, "--state-dir", str(tmp_path / "s")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err


def test_killed_coordinator_during_a_load_resumes_to_the_right_table(tmp_path):
    db = tmp_path / "out.db"
    url = f"sqlite:///{db}?table=users"
    state = tmp_path / "s"
    data = write_users(tmp_path / "a.jsonl", versions(300, 3))
    kill_during_load(data, url, state)
    assert latest_in_sqlite(db) == {}  # nothing applied: no table yet
    assert run_cli(str(data), "-o", url, "--state-dir", str(state)) == 0  # resumes the run
    assert latest_in_sqlite(db) == {k: f"user{k}-v2" for k in range(300)}
    with Ledger(str(state)) as ledger:
        assert len(ledger.list_runs()) == 1


def kill_during_load(data: Path, url: str, state: Path, env: dict | None = None) -> None:
    """Run the job in a child, SIGKILL it (and its workers) once load-00000 is done and
    load-00001 hangs."""
    env = {**os.environ, **(env or {}), "MAPREDUCE_FAULTS": "load:1:hang"}
    cmd = [sys.executable, "-m", "mapreduce", "run", "latest_by_key", str(data), "-o", url]
    cmd += ["--quiet", "--workers", "2", "--reducers", "2", "--state-dir", str(state)]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        loads = (_task_state(state, "load-00000"), _task_state(state, "load-00001"))
        if loads == ("done", "running"):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the load tasks never got there")
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its hung worker
    proc.wait()


def _task_state(state: Path, task_id: str) -> str | None:
    if not (state / "ledger.sqlite3").exists():
        return None
    try:
        with Ledger(str(state)) as ledger:
            runs = ledger.list_runs()
            tasks = {t.task_id: t.state for t in ledger.tasks(runs[0].run_id)} if runs else {}
    except Exception:
        return None
    return tasks.get(task_id)


@pytest.fixture
def pg_url():
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)")
    schema = "t_" + secrets.token_hex(4)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield url, schema
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _pg_target(url: str, schema: str, table: str = "users") -> str:
    return f"{url}?table={table}&schema={schema}"


def _pg_latest(url: str, schema: str) -> dict[int, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(f"SELECT id, name FROM {schema}.users").fetchall())


def test_postgresql_keeps_the_latest_row_per_key_in_parallel_loads(pg_url, tmp_path):
    url, schema = pg_url
    state = str(tmp_path / "s")
    new = write_users(tmp_path / "new.jsonl", versions(500, 4, day=2))
    old = write_users(tmp_path / "old.jsonl", versions(700, 4, day=1))
    target = _pg_target(url, schema)
    assert run_cli(str(new), "-o", target, "--state-dir", state, "--reducers", "4") == 0
    assert run_cli(str(old), "-o", target, "--state-dir", state, "--reducers", "3") == 0
    assert _pg_latest(url, schema) == {k: f"user{k}-v3" for k in range(700)}


def test_postgresql_errors_never_show_the_password(pg_url, tmp_path, capsys):
    url, schema = pg_url
    parts = urlsplit(url)
    wrong = url.replace(f":{parts.password}@", ":not-the-password@")
    data = write_users(tmp_path / "a.jsonl", versions(3, 1))
    code = run_cli(str(data), "-o", _pg_target(wrong, schema), "--state-dir", str(tmp_path / "s"))
    err = capsys.readouterr().err
    assert code == 2
    assert "not-the-password" not in err and parts.password not in err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_the_password_is_not_in_the_ledger(pg_url, tmp_path):
    url, schema = pg_url
    password = urlsplit(url).password
    data = write_users(tmp_path / "a.jsonl", versions(10, 2))
    state = tmp_path / "s"
    assert run_cli(str(data), "-o", _pg_target(url, schema), "--state-dir", str(state)) == 0
    assert password and password.encode() not in (state / "ledger.sqlite3").read_bytes()


def test_purge_drops_a_killed_postgresql_runs_staging_tables(pg_url, tmp_path, monkeypatch):
    url, schema = pg_url
    state = tmp_path / "s"
    data = write_users(tmp_path / "a.jsonl", versions(30, 2))
    kill_during_load(data, _pg_target(url, schema), state)
    assert _staging_tables(url, schema)  # partition 0 was staged when the run died
    monkeypatch.setenv("PGPASSWORD", urlsplit(url).password or "")  # the ledger keeps none
    assert main(["purge", "--older-than", "0s", "--state-dir", str(state), "--quiet"]) == 0
    assert _staging_tables(url, schema) == []
    with Ledger(str(state)) as ledger:
        assert ledger.list_runs() == []


def _staging_tables(url: str, schema: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s"
            " AND tablename LIKE '\\_mr\\_stage\\_%%'",
            (schema,),
        ).fetchall()
    return [name for (name,) in rows]


def test_a_group_of_several_fields_is_refused_as_a_table(tmp_path, capsys):
    """A table's key is one column, so group_aggregate -p by=a,b writes files only; the
    refusal comes before any work, and no database is made."""
    data = write_users(tmp_path / "orders.jsonl", [{"a": "x", "b": "y", "amount": 1}])
    url = f"sqlite:///{tmp_path / 'db.sqlite'}?table=totals"
    argv = ["run", "group_aggregate", str(data), "-o", url, "-p", "by=a,b", "--quiet"]
    assert main([*argv, "--state-dir", str(tmp_path / "state")]) == 2
    err = capsys.readouterr().err
    assert "groups by 2 fields, and a table's key is one column" in err
    assert not (tmp_path / "db.sqlite").exists()


def test_a_key_of_several_fields_is_refused_as_a_table(tmp_path, capsys):
    data = write_users(tmp_path / "a.jsonl", [{"a": "x", "b": "y", "updated_at": "2024-01-01"}])
    url = f"sqlite:///{tmp_path / 'db.sqlite'}?table=latest"
    argv = ["run", "latest_by_key", str(data), "-o", url, "-p", "key=a,b", "--quiet"]
    assert main([*argv, "--state-dir", str(tmp_path / "state")]) == 2
    assert "is a key of 2 fields, and a table's key is one column" in capsys.readouterr().err
    assert not (tmp_path / "db.sqlite").exists()
