"""The ledger's SQLite file: opening it (WAL, migrations), its one write path and the
one sentence for a file that cannot be used.

Every write is one short `BEGIN IMMEDIATE` transaction (huey's SqliteStorage model):
writers queue on the busy timeout instead of failing with "database is locked". A ledger
that cannot be used (damaged, a folder, on a full disk, in a read-only or missing state
dir) raises `StateError`, one sentence naming the file and the remedy, from any call.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from mapreduce.engine.ledger_schema import MIGRATIONS, SCHEMA_VERSION
from mapreduce.errors import LedgerError, StateError

__all__ = ["TIMEOUT_S", "LedgerStore"]

TIMEOUT_S = 60.0


class LedgerStore:
    """The connection to <state_dir>/ledger.sqlite3, its transactions and reads."""

    def __init__(
        self,
        state_dir: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        create: bool = True,
    ) -> None:
        """Open (with `create`, make) the ledger of `state_dir`; StateError if unusable."""
        self.path = Path(state_dir) / "ledger.sqlite3"
        _check_state_dir(Path(state_dir), create)
        self._clock = clock
        # Today only the coordinator's main thread calls; the connection may still be
        # used from another thread (check_same_thread=False, for future executors whose
        # callbacks run on their own threads), so a lock keeps each transaction whole.
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._state_error(exc) from exc
        try:
            self._set_up()
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._state_error(exc) from exc
        except BaseException:
            self._conn.close()
            raise

    def _set_up(self) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {int(TIMEOUT_S * 1000)}")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        # Readers (`status`) must not queue behind a running coordinator's writes: an
        # up-to-date WAL ledger is used as it is, without a write lock (issue 8).
        mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            self._use_wal()
        if self._conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            self._migrate()

    def _use_wal(self) -> None:
        # Switching a new ledger to WAL needs an exclusive lock the busy handler
        # does not wait for: 8 processes opening one new ledger together fail
        # with "database is locked" (test_concurrent_coordinators...), so retry.
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                msg = (
                    f"{self.path} has ledger schema {version}, newer than this mapreduce "
                    f"reads ({SCHEMA_VERSION}); upgrade mapreduce or use another --state-dir"
                )
                raise LedgerError(msg)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _state_error(self, exc: sqlite3.Error) -> StateError:
        """The one sentence for a ledger SQLite cannot use: what is wrong and what to do."""
        text, where = str(exc), self.path
        if self.path.is_dir():
            why = "is a folder, not a ledger file; move it aside or pass another --state-dir"
        elif any(word in text for word in ("not a database", "malformed", "corrupt")):
            why = (
                f"is damaged ({text}); move it aside (its runs cannot be resumed) "
                "or pass another --state-dir"
            )
        elif "full" in text:
            why = "cannot be written: the disk is full; free some space and run the command again"
        elif "I/O error" in text:
            why = f"cannot be written ({text}): is the disk full or failing? Check it and retry"
        elif "locked" in text:
            why = f"stayed locked by another process for {TIMEOUT_S:.0f} s; try again later"
        else:
            why = (
                f"cannot be used ({text}); make {where.parent} readable and writable "
                "or pass another --state-dir"
            )
        return StateError(f"ledger {where} {why}")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The one write path: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):  # a damaged file, say
                            self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.IntegrityError:
                raise  # a constraint the caller handles (create_run's id draw)
            except sqlite3.Error as exc:
                raise self._state_error(exc) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._state_error(exc) from exc


def _check_state_dir(folder: Path, create: bool) -> None:
    """StateError unless `folder` is (or, with `create`, can be made) a folder."""
    if folder.exists() and not folder.is_dir():
        raise StateError(f"state dir {folder} is a file, not a folder; pass another --state-dir")
    if not create and not folder.exists():
        msg = f"state dir {folder} does not exist: no runs are recorded there; check --state-dir"
        raise StateError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = (
            f"cannot create state dir {folder}: {exc.strerror or exc}; "
            "pass a --state-dir in a writable place"
        )
        raise StateError(msg) from exc
