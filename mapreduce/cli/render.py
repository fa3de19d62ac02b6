"""The text the commands print: the run summary, `status` and `purge`; pure functions to str.

Plain aligned columns, no colour and no terminal width, so the output is the
same in a pipe, a log and a test. Times are shown in local time; durations of
unfinished runs and tasks are measured up to the `now` the caller passes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from mapreduce.engine.ledger import PurgeResult, RunInfo, TaskInfo
from mapreduce.engine.spec import RunSummary
from mapreduce.errors import UsageError

__all__ = [
    "format_bytes",
    "format_duration",
    "parse_age",
    "render_purge",
    "render_run",
    "render_runs",
    "render_summary",
]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_AGE_PART = re.compile(r"(\d+(?:\.\d*)?)([smhdw])")
_MAX_INPUTS = 5  # a run over thousands of files would bury its task table
_MAX_ERROR = 72


def parse_age(text: str) -> float:
    """Seconds in an age such as "7d", "12h", "30m", "45s", "2w" or "1d12h".

    >>> parse_age("1d12h")
    129600.0
    """
    compact = text.strip().lower()
    if compact and _AGE_PART.sub("", compact) == "":
        return float(sum(float(n) * _UNITS[unit] for n, unit in _AGE_PART.findall(compact)))
    msg = (
        f"cannot read the age {text!r}: write a number and a unit (s, m, h, d or w), "
        "for example --older-than 7d or --older-than 12h"
    )
    raise UsageError(msg)


def format_duration(seconds: float) -> str:
    """A short duration: "0.4s", "45s", "3m05s", "1h02m", "2d03h".

    >>> format_duration(185)
    '3m05s'
    """
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    for unit, big, small, little in (
        (86_400, "d", 3600, "h"),
        (3600, "h", 60, "m"),
        (60, "m", 1, "s"),
    ):
        if whole >= unit:
            return f"{whole // unit}{big}{whole % unit // small:02d}{little}"
    return f"{whole}s"


def format_bytes(size: float) -> str:
    """A byte count in decimal units: "512 B", "45.2 MB".

    >>> format_bytes(45_200_000)
    '45.2 MB'
    """
    if size < 1000:
        return f"{int(size)} B"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1000
        if size < 1000 or unit == "TB":
            break
    return f"{size:.1f} {unit}"


def render_runs(runs: Sequence[RunInfo], now: float, stale: Collection[str] = ()) -> str:
    """The `status` table: one line per run, as given (the ledger lists newest first).

    Runs in `stale` (running, but their coordinator is gone) show as "stale"; OUT and the
    inputs tell apart the runs of one job.
    """
    if not runs:
        return "no runs yet"
    rows = [["RUN", "JOB", "STATE", "PROGRESS", "STARTED", "DURATION", "OUT", "INPUTS"]]
    for run in runs:
        rows.append(
            [
                run.run_id,
                run.job,
                "stale" if run.run_id in stale else run.state,
                f"{run.tasks_done}/{run.tasks_total}",
                _local_time(run.created_at),
                format_duration((run.finished_at or now) - run.created_at),
                run.out,
                _inputs_cell(run.inputs),
            ]
        )
    return _table(rows, right={3, 5})


def _inputs_cell(inputs: Sequence[Mapping[str, Any]]) -> str:
    """The first input's file name, and how many more: "users.jsonl +2"."""
    if not inputs:
        return "-"
    first = os.path.basename(str(inputs[0].get("path", "")))
    return first + (f" +{len(inputs) - 1}" if len(inputs) > 1 else "")


def render_run(run: RunInfo, tasks: Sequence[TaskInfo], now: float, stale: bool = False) -> str:
    """`status RUN_ID`: the run's header, its task table and its counters."""
    lines = list(_header(run, tasks, now, stale))
    lines.append("")
    if tasks:
        rows = [["TASK", "STATE", "ATTEMPTS", "DURATION", "ERROR"]]
        rows += [
            [t.task_id, t.state, str(t.attempts), _task_duration(t, now), _short_error(t.error)]
            for t in tasks
        ]
        lines.append(_table(rows, right={2, 3}))
    else:
        lines.append("no tasks planned yet")
    counters = dict(_flatten(run.counters))
    if counters:
        lines += ["", "counters"]
        rows = [[name, _number(value)] for name, value in sorted(counters.items())]
        lines += ["  " + line for line in _table(rows, right={1}).splitlines()]
    return "\n".join(lines)


def render_purge(result: PurgeResult) -> str:
    """One line: "purged 3 runs (120 tasks), freed 45.2 MB"."""
    runs = "run" if result.runs == 1 else "runs"
    tasks = "task" if result.tasks == 1 else "tasks"
    return (
        f"purged {result.runs} {runs} ({result.tasks} {tasks}), "
        f"freed {format_bytes(result.bytes_freed)}"
    )


def _header(run: RunInfo, tasks: Sequence[TaskInfo], now: float, stale: bool) -> Iterator[str]:
    states = [t.state for t in tasks]
    others = ", ".join(f"{states.count(s)} {s}" for s in ("running", "failed") if s in states)
    total_size = sum(int(i.get("size") or 0) for i in run.inputs)
    params = ", ".join(
        f"{k}={json.dumps(v, sort_keys=True)}" for k, v in sorted(run.params.items())
    )
    yield f"run       {run.run_id}"
    yield f"job       {run.job} ({run.job_path})"
    yield f"out       {run.out}"
    if stale:
        yield (
            f"state     stale (running, but its coordinator, pid {run.pid}, is gone; "
            f"`mapreduce resume {run.run_id}` finishes it)"
        )
    else:
        yield f"state     {run.state}"
    yield (
        f"started   {_local_time(run.created_at)}, "
        f"duration {format_duration((run.finished_at or now) - run.created_at)}"
    )
    yield (
        f"progress  {run.tasks_done}/{run.tasks_total} tasks done"
        + (f" ({others})" if others else "")
    )
    yield f"inputs    {_plural(len(run.inputs), 'file')}, {format_bytes(total_size)}"
    for item in run.inputs[:_MAX_INPUTS]:
        yield f"          {item.get('path')}  {format_bytes(int(item.get('size') or 0))}"
    if len(run.inputs) > _MAX_INPUTS:
        yield f"          … and {len(run.inputs) - _MAX_INPUTS} more"
    yield f"params    {params or '(none)'}"
    if run.error:
        first, *rest = run.error.splitlines() or [""]
        yield f"error     {first}"
        yield from (f"          {line}" for line in rest)


def _table(rows: Sequence[Sequence[str]], right: Collection[int] = ()) -> str:
    """Columns two spaces apart, sized to their widest cell; `right` columns right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _task_duration(task: TaskInfo, now: float) -> str:
    if task.started_at is None or task.state == "pending":
        return "-"
    return format_duration((task.finished_at or now) - task.started_at)


def _short_error(error: str | None) -> str:
    """The last line of an error (a traceback's exception line), cut to fit a table."""
    lines = (error or "").strip().splitlines()
    last = lines[-1].strip() if lines else ""
    return last if len(last) <= _MAX_ERROR else last[: _MAX_ERROR - 1] + "…"


def _flatten(counters: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested counter groups as dotted names: {"map": {"records": 3}} → ("map.records", 3)."""
    for name, value in counters.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.3f}"


def _local_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def render_summary(summary: RunSummary) -> str:
    """The end-of-run table: record counts, bytes, time per phase, workers."""
    c = summary.counters
    t = summary.timings
    workers = "" if summary.executor == "sequential" else f", {_plural(summary.workers, 'worker')}"
    rows = [
        ("run", summary.run_id + ("  (resumed)" if summary.resumed else "")),
        ("output", summary.out),
        ("records read", f"{c['records_read']:,}"),
        ("pairs emitted", f"{c['pairs_emitted']:,}"),
    ]
    if summary.combined:  # without merge() nothing is combined: the number would repeat
        rows.append(("pairs after combine", f"{c['pairs_after_combine']:,}"))
    rows += [
        ("records written", f"{c['records_written']:,}"),
        ("bad records", f"{c['bad_records']:,}"),
        ("bytes read", format_bytes(c["bytes_read"])),
        ("tasks", f"{c['map_tasks']:,} map, {c['reduce_tasks']:,} reduce"),
        ("executor", f"{summary.executor}{workers}, {_plural(summary.reducers, 'reducer')}"),
    ]
    if summary.retries:
        rows.append(("retries", _plural(summary.retries, "attempt") + " retried"))
    last = "load" if "load" in t else "commit"  # a database output loads instead of renaming
    for phase in ("plan", "map", "reduce", last, "total"):
        seconds = t.get(phase, 0.0)
        rows.append(
            (f"time {phase}", f"{seconds:.2f} s" if seconds < 60 else format_duration(seconds))
        )
    for name, value in sorted(summary.user_counters.items()):
        rows.append((f"counter {name}", f"{value:,}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
