"""Progress bars on stderr while a job runs (rich), or notes only when stderr is no terminal."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from mapreduce.engine.progress import NullProgress, Progress

__all__ = ["BarProgress", "NotesOnly", "make_progress"]


class BarProgress:
    """A progress bar per phase (tasks done/total, records/s, MB/s), drawn on stderr."""

    def __init__(self) -> None:
        self._console = Console(file=sys.stderr)
        self._bars: RichProgress | None = None
        self._task: Any = None
        self._records = 0
        self._bytes = 0
        self._started = 0.0

    def start_phase(self, name: str, tasks: int, done: int) -> None:
        self.end_phase()
        self._bars = RichProgress(
            TextColumn("{task.description:<7}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks  {task.fields[rate]}"),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
        )
        self._bars.start()
        self._task = self._bars.add_task(name, total=tasks, completed=done, rate="")
        self._records = self._bytes = 0
        self._started = time.perf_counter()

    def task_done(self, records: int, nbytes: int) -> None:
        if self._bars is None:
            return
        self._records += records
        self._bytes += nbytes
        elapsed = max(time.perf_counter() - self._started, 1e-9)
        rate = f"{self._records / elapsed:,.0f} rec/s  {self._bytes / elapsed / 1e6:,.1f} MB/s"
        self._bars.update(self._task, advance=1, rate=rate)

    def end_phase(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def note(self, text: str) -> None:
        self._console.print(text)


def make_progress(quiet: bool) -> Progress:
    """Bars when stderr is a terminal and not --quiet; otherwise a progress that ignores all."""
    if quiet:
        return NullProgress()
    return BarProgress() if sys.stderr.isatty() else NotesOnly()


class NotesOnly(NullProgress):
    """No bars (stderr is not a terminal), but notes such as "resuming run ..." still show."""

    def note(self, text: str) -> None:
        print(text, file=sys.stderr)
