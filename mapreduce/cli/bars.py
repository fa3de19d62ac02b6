"""Progress bars on stderr while a job runs (rich), or notes only when stderr is no terminal.

Tasks report when they end; a .gz input is one task, so its readers also report the
compressed bytes read so far in a meter folder (formats.chunks.READ_METER_ENV, inherited by
worker processes), which the bars add to the rate at every refresh.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import weakref
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from mapreduce.engine.progress import NullProgress, Progress
from mapreduce.formats.chunks import READ_METER_ENV, metered_bytes

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import ProgressColumn

__all__ = ["BarProgress", "NotesOnly", "make_progress", "rate_text"]


def rate_text(records: int, nbytes: int, elapsed: float) -> str:
    """ "1,234 rec/s  5.6 MB/s"; records/s only once a task has reported records.

    >>> rate_text(5_000, 12_000_000, 2.0)
    '2,500 rec/s  6.0 MB/s'
    >>> rate_text(0, 3_000_000, 2.0)
    '1.5 MB/s'
    """
    elapsed = max(elapsed, 1e-9)
    speed = f"{nbytes / elapsed / 1e6:,.1f} MB/s"
    return f"{records / elapsed:,.0f} rec/s  {speed}" if records else speed


@cache
def _rate_column_class() -> Callable[[BarProgress], ProgressColumn]:
    """The rate column's class, made on first use: rich is imported only when bars are
    drawn, so a run without a terminal does not pay its start-up."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """The phase's rate, redrawn at every refresh from finished tasks and the meter."""

        def __init__(self, bars: BarProgress) -> None:
            super().__init__()
            self._bars = bars

        def render(self, task: Task) -> Text:
            return Text(f"tasks  {self._bars.rate()}")

    return RateColumn


class BarProgress:
    """A progress bar per phase (tasks done/total, records/s, MB/s), drawn on stderr."""

    def __init__(self) -> None:
        from rich.console import Console

        self._console = Console(file=sys.stderr)
        self._bars: RichProgress | None = None
        self._task: Any = None
        self._records = 0
        self._bytes = 0
        self._started = 0.0
        self._meter = tempfile.mkdtemp(prefix="mapreduce-meter-")
        self._old_meter = os.environ.get(READ_METER_ENV)
        os.environ[READ_METER_ENV] = self._meter  # worker processes forked later inherit it
        self._drop_meter = weakref.finalize(self, shutil.rmtree, self._meter, True)

    def rate(self) -> str:
        """The current phase's rate, in-flight .gz reads included; "" before any data."""
        nbytes = self._bytes + metered_bytes(self._meter)
        if not (self._records or nbytes):
            return ""
        return rate_text(self._records, nbytes, time.perf_counter() - self._started)

    def close(self) -> None:
        """Stop drawing and drop the meter folder."""
        self.end_phase()
        if self._old_meter is None:
            os.environ.pop(READ_METER_ENV, None)
        else:
            os.environ[READ_METER_ENV] = self._old_meter
        self._drop_meter()

    def start_phase(self, name: str, tasks: int, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.end_phase()
        self._bars = RichProgress(
            TextColumn("{task.description:<7}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column_class()(self),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
        )
        self._bars.start()
        self._task = self._bars.add_task(name, total=tasks, completed=done)
        self._records = self._bytes = 0
        self._started = time.perf_counter()

    def task_done(self, records: int, nbytes: int) -> None:
        if self._bars is None:
            return
        self._records += records
        self._bytes += nbytes
        self._bars.update(self._task, advance=1)

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
