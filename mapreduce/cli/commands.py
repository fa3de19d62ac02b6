"""The commands of `python -m mapreduce`: run, resume, status, purge and demo.

A run stopped by Ctrl-C ends as `Interrupted` (exit 130) and a failed one names its run,
so the user always learns which id `mapreduce resume` and `mapreduce status` take.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from mapreduce.cli.bars import BarProgress, make_progress
from mapreduce.cli.demo import run_demo
from mapreduce.cli.render import parse_age, render_purge, render_run, render_runs, render_summary
from mapreduce.cli.tostdout import SHOWN, STDOUT, run_to_stdout
from mapreduce.engine.api import resume, run
from mapreduce.engine.ledger import Ledger, PurgeResult, RunInfo
from mapreduce.engine.outcome import run_id_of
from mapreduce.engine.progress import Progress
from mapreduce.engine.spec import RunSpec, RunSummary
from mapreduce.errors import MapReduceError, StateError, UnknownRunError, UsageError

__all__ = ["COMMANDS", "Interrupted"]

LEDGER_FILE = "ledger.sqlite3"


class Interrupted(MapReduceError):
    """Ctrl-C stopped the command; 130 is what shells report for SIGINT."""

    exit_code = 130


def _carry(
    command: Callable[[], RunSummary], state_dir: str, out: str | None, run_id: str | None
) -> RunSummary:
    """Run `command`; an interrupt or failure of a recorded run names that run."""
    started = time.time()
    try:
        return command()
    except KeyboardInterrupt as exc:
        found = run_id_of(exc) or run_id or _own_run(state_dir, out, started)
        if found is None:
            raise Interrupted("interrupted before the run was recorded; nothing to resume") from exc
        raise Interrupted(f"interrupted; `mapreduce resume {found}` finishes the run") from exc
    except MapReduceError as exc:
        found = run_id_of(exc) or run_id or _own_run(state_dir, out, started)
        if found is not None and found not in str(exc) and _has_tasks(state_dir, found):
            exc.args = (f"{exc} (run {found}; `mapreduce status {found}` shows its tasks)",)
        raise


def _has_tasks(state_dir: str, run_id: str) -> bool:
    """Whether the run got as far as planning tasks: a run refused before that (OUT exists,
    an unreadable input) has nothing to show or resume, and naming it would be noise."""
    if not (Path(state_dir) / LEDGER_FILE).is_file():  # looking must not create it
        return False
    with Ledger(state_dir) as ledger:
        try:
            return ledger.get_run(run_id).tasks_total > 0
        except UnknownRunError:
            return False


def _own_run(state_dir: str, out: str | None, since: float) -> str | None:
    """The run this process created into OUT since `since`, for an exception the engine did
    not tag with its run: the ledger records each run's coordinator process."""
    if out is None or not (Path(state_dir) / LEDGER_FILE).exists():
        return None
    target = str(Path(out).resolve())
    with Ledger(state_dir) as ledger:
        for info in ledger.list_runs(limit=10):
            if info.out == target and info.pid == os.getpid() and info.created_at >= since:
                return info.run_id
    return None


@contextmanager
def _progress(args: argparse.Namespace) -> Iterator[Progress]:
    """The bars (or notes) for a run, closed when it ends however it ends."""
    progress = make_progress(args.quiet)
    try:
        yield progress
    finally:
        if isinstance(progress, BarProgress):
            progress.close()


def _cmd_run(args: argparse.Namespace) -> int:
    if args.max_bad_records is not None and not args.skip_bad_records:
        raise UsageError("--max-bad-records needs --skip-bad-records")
    if args.task_timeout is not None and args.executor != "process":
        raise UsageError("--task-timeout needs --executor process (threads cannot be stopped)")
    spec = RunSpec(
        job=args.job,
        inputs=tuple(args.inputs),
        out=args.output,
        param_texts=tuple(args.param),
        input_format=args.input_format,
        delimiter=args.delimiter,
        output_format=args.output_format,
        executor=args.executor,
        workers=args.workers,
        reducers=args.reducers,
        split_size=args.split_size,
        overwrite=args.overwrite,
        skip_bad_records=args.skip_bad_records,
        max_bad_records=args.max_bad_records,
        state_dir=args.state_dir,
        max_attempts=args.max_attempts,
        task_timeout=args.task_timeout,
    )
    with _progress(args) as progress:
        if args.output == STDOUT:
            try:
                summary = run_to_stdout(
                    spec,
                    args.state_dir,
                    lambda to: _carry(lambda: run(to, progress), args.state_dir, to.out, None),
                )
            except Interrupted as exc:  # its folder is gone: a resume would write nowhere
                raise Interrupted("interrupted; run the command again to start afresh") from exc
        else:
            summary = _carry(lambda: run(spec, progress), args.state_dir, args.output, None)
    _print_summary(args, summary, sys.stderr if args.output == STDOUT else sys.stdout)
    if args.max_bad_records is None:
        _warn_if_mostly_bad(summary)
    return 0


def _cmd_resume(args: argparse.Namespace) -> int:
    with _progress(args) as progress:
        summary = _carry(
            lambda: resume(args.run_id, args.state_dir, progress), args.state_dir, None, args.run_id
        )
    _print_summary(args, summary)
    return 0


def _print_summary(
    args: argparse.Namespace, summary: RunSummary, stream: TextIO | None = None
) -> None:
    """The summary table (on standard output unless `stream`), unless --quiet: a quiet
    run that succeeds prints nothing."""
    if not args.quiet:
        print(render_summary(summary), file=stream or sys.stdout)


def _warn_if_mostly_bad(summary: RunSummary) -> None:
    """Say so on stderr, even with --quiet, when half the records or more were skipped as
    bad: a mistyped field name (-p key=uid) rejects every record, and exit 0 hides it."""
    bad, read = summary.counters["bad_records"], summary.counters["records_read"]
    if bad and bad * 2 >= max(read, bad):
        print(
            f"warning: {bad:,} of {max(read, bad):,} records were bad and skipped; "
            f"{_rejects_of(summary)} says why (a mistyped -p field name rejects "
            "every record); --max-bad-records N makes this an error",
            file=sys.stderr,
        )


def _rejects_of(summary: RunSummary) -> str:
    """Where a run's bad-record log is: its output's _rejects.jsonl, or standard error
    for -o - (cli.tostdout)."""
    if summary.out == SHOWN:
        return "standard error (above)"
    return f"{summary.out}/_rejects.jsonl"


def _refuse_file_state_dir(state_dir: str) -> None:
    """Looking at a state dir that is a regular file must say so, not list nothing."""
    if Path(state_dir).exists() and not Path(state_dir).is_dir():
        msg = f"state dir {state_dir} is a file, not a folder; pass another --state-dir"
        raise StateError(msg)


def _cmd_status(args: argparse.Namespace) -> int:
    _refuse_file_state_dir(args.state_dir)
    if not (Path(args.state_dir) / LEDGER_FILE).exists():  # looking must not create it
        if args.run_id:
            raise UnknownRunError(f"no run {args.run_id} in {args.state_dir}; no run is recorded")
        print(render_runs([], time.time()))
        return 0
    with Ledger(args.state_dir) as ledger:
        if args.run_id:
            info = ledger.get_run(args.run_id)
            print(render_run(info, ledger.tasks(args.run_id), time.time(), _is_stale(info)))
        else:
            runs = ledger.list_runs()
            stale = {info.run_id for info in runs if _is_stale(info)}
            print(render_runs(runs, time.time(), stale))
    return 0


def _is_stale(info: RunInfo) -> bool:
    """A run the ledger has as running whose coordinator process is gone: it will never
    finish on its own (`mapreduce resume` or a new `run` into its OUT takes it over)."""
    if info.state != "running" or info.pid is None or info.pid == os.getpid():
        return False
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _cmd_purge(args: argparse.Namespace) -> int:
    older_than = parse_age(args.older_than)
    _refuse_file_state_dir(args.state_dir)
    if not (Path(args.state_dir) / LEDGER_FILE).exists():
        print(render_purge(PurgeResult(runs=0, tasks=0, bytes_freed=0)))
        return 0
    with Ledger(args.state_dir) as ledger:
        result = ledger.purge(older_than=older_than, states=args.state or ("done", "failed"))
    print(render_purge(result))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(
        rows=args.rows,
        workers=args.workers,
        directory=args.dir,
        state_dir=args.state_dir,
        quiet=args.quiet,
    )


COMMANDS = {
    "run": _cmd_run,
    "resume": _cmd_resume,
    "status": _cmd_status,
    "purge": _cmd_purge,
    "demo": _cmd_demo,
}
