"""What a person sees while a job runs: progress bars on stderr and the summary table."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mapreduce.console import format_bytes, format_duration
from mapreduce.progress import NullProgress

__all__ = ["BarProgress", "NotesOnly", "make_progress", "render_summary"]


class BarProgress:
    """A progress bar per phase (tasks done/total, records/s, MB/s), drawn on stderr."""

    def __init__(self) -> None:
        self._console = Console(file=sys.stderr)
        self._bars: Progress | None = None
        self._task: Any = None
        self._records = 0
        self._bytes = 0
        self._started = 0.0

    def start_phase(self, name: str, tasks: int, done: int) -> None:
        self.end_phase()
        self._bars = Progress(
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


def make_progress(quiet: bool) -> Any:
    """Bars when stderr is a terminal and not --quiet; otherwise a progress that ignores all."""
    if quiet:
        return NullProgress()
    return BarProgress() if sys.stderr.isatty() else NotesOnly()


class NotesOnly(NullProgress):
    """No bars (stderr is not a terminal), but notes such as "resuming run ..." still show."""

    def note(self, text: str) -> None:
        print(text, file=sys.stderr)


def render_summary(summary: Any) -> str:
    """The end-of-run table: record counts, bytes, time per phase, workers."""
    c = summary.counters
    t = summary.timings
    rows = [
        ("run", summary.run_id + ("  (resumed)" if summary.resumed else "")),
        ("output", summary.out),
        ("records read", f"{c['records_read']:,}"),
        ("records emitted", f"{c['pairs_emitted']:,}"),
        ("after combine", f"{c['pairs_after_combine']:,}"),
        ("records written", f"{c['records_written']:,}"),
        ("records rejected", f"{c['bad_records']:,}"),
        ("bytes read", format_bytes(c["bytes_read"])),
        ("tasks", f"{c['map_tasks']} map, {c['reduce_tasks']} reduce"),
        ("executor", f"{summary.executor}, {summary.workers} workers, {summary.reducers} reducers"),
    ]
    for phase in ("plan", "map", "reduce", "commit", "total"):
        rows.append(
            (
                f"time {phase}",
                f"{t.get(phase, 0.0):.2f} s"
                if t.get(phase, 0.0) < 60
                else format_duration(t[phase]),
            )
        )
    for name, value in sorted(summary.user_counters.items()):
        rows.append((f"counter {name}", f"{value:,}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
