"""Fixtures for the database-output tests: real SQLite files and a real PostgreSQL server.

PostgreSQL tests use the server named by MAPREDUCE_TEST_POSTGRES_URL (`.ci/run` starts
one); each test gets a schema of its own, dropped afterwards. Without the variable they
skip with a one-line reason.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from psycopg import sql

from mapreduce.sinks import LoadResult, LoadSpec, apply_load, parse_sink_url, stage_partition
from mapreduce.sinks.spec import StageTask

PG_ENV = "MAPREDUCE_TEST_POSTGRES_URL"
PG_SKIP = f"no PostgreSQL server: set {PG_ENV} (.ci/run starts one)"


def postgres_url() -> str:
    """The test server's URL (with its password), or skip the test."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    return url


@dataclass
class Target:
    """One database to load into, with what a test needs to read it back."""

    dialect: str
    base: str  # URL up to the query string
    schema: str | None
    tmp: Path

    def url(self, table: str = "users", **params: str) -> str:
        """The output URL of `table` with extra query parameters."""
        query = {"table": table, **params}
        if self.schema:
            query["schema"] = self.schema
        return self.base + "?" + "&".join(f"{k}={v}" for k, v in query.items())

    def spec(
        self, table: str = "users", key: str = "id", ts: str | None = "updated_at", **params: str
    ) -> LoadSpec:
        """A LoadSpec for `table`."""
        url = parse_sink_url(self.url(table, **params))
        assert url is not None
        return LoadSpec(url, key, ts)

    def rows(self, table: str = "users", key: str = "id") -> list[dict[str, Any]]:
        """Every row, by key, with JSON columns decoded (SQLite keeps them as text)."""
        with self.connect() as conn:
            if self.dialect == "sqlite":
                cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"')
            else:
                cur = conn.execute(
                    sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                        sql.Identifier(self.schema, table), sql.Identifier(key)
                    )
                )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def connect(self) -> Any:
        """A plain driver connection to the database."""
        if self.dialect == "sqlite":
            return _closing_sqlite(self.base.removeprefix("sqlite:///"))
        return psycopg.connect(self.base, autocommit=True)


class _closing_sqlite:
    """sqlite3.connect that closes on exit (sqlite3's own context manager only commits)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _pg_target(tmp_path: Path) -> Iterator[Target]:
    base = postgres_url().split("?", 1)[0]
    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield Target("postgresql", base, schema, tmp_path)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def sqlite_target(tmp_path: Path) -> Target:
    """A fresh SQLite database file."""
    return Target("sqlite", f"sqlite:///{tmp_path / 'out.db'}", None, tmp_path)


@pytest.fixture
def pg_target(tmp_path: Path) -> Iterator[Target]:
    """A fresh schema on the test PostgreSQL server."""
    yield from _pg_target(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Each dialect in turn."""
    if request.param == "sqlite":
        yield Target("sqlite", f"sqlite:///{tmp_path / 'out.db'}", None, tmp_path)
    else:
        yield from _pg_target(tmp_path)


def write_parts(
    folder: Path, partitions: Sequence[Sequence[object]], name: str = "run"
) -> list[tuple[int, Path]]:
    """Write each partition's records as an NDJSON part file; return (number, path)."""
    folder = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for number, records in enumerate(partitions):
        path = folder / f"part-{number:05d}.jsonl"
        path.write_bytes(b"".join(_dumps(r) + b"\n" for r in records))
        parts.append((number, path))
    return parts


def _dumps(record: object) -> bytes:
    """orjson, or the json module for what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(record)
    except TypeError:
        return json.dumps(record, ensure_ascii=False).encode()


def load(spec: LoadSpec, run_id: str, parts: Sequence[tuple[int, Path]]) -> LoadResult:
    """Stage every partition, then apply: what the engine does for a run."""
    staged = [stage_partition(StageTask(run_id, n, str(p), spec)) for n, p in parts]
    return apply_load(spec, run_id, parts, staged)
