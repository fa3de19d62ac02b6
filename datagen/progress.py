"""The progress bar on stderr: rows, MB written, rows/s and ETA (only on a terminal)."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

__all__ = ["ProgressBar"]


class ProgressBar:
    """A context manager; `advance(rows, nbytes)` after each chunk. Silent unless enabled."""

    def __init__(self, total_rows: int, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total_rows
        self.rows = 0
        self.bytes = 0
        self.started = time.perf_counter()
        self.bar: Progress | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def _start(self) -> None:
        """Draw the bar. Done at the first chunk, once the worker processes exist: the bar's
        refresh thread must not be running when workers are forked."""
        self.bar = Progress(
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} rows"),
            TextColumn("{task.fields[mb]:,.1f} MB"),
            TextColumn("{task.fields[rate]:,.0f} rows/s"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task("datagen", total=self.total, mb=0.0, rate=0.0)

    def advance(self, rows: int, nbytes: int) -> None:
        self.rows += rows
        self.bytes += nbytes
        if self.enabled and self.bar is None:
            self._start()
        if self.bar is not None:
            rate = self.rows / max(time.perf_counter() - self.started, 1e-9)
            self.bar.update(self.task, completed=self.rows, mb=self.bytes / 1e6, rate=rate)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
