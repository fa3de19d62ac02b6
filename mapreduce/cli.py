"""Command line: `python -m mapreduce run|resume|status|purge|demo`.

Parses arguments into the engine's RunSpec, draws progress on stderr, prints the summary,
and turns every MapReduceError into one sentence and its exit code (`--debug` adds the
traceback, with the worker's chained under it).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any

from mapreduce.errors import MapReduceError, UsageError

__all__ = ["main", "parse_size"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1e3,
    "m": 1e6,
    "g": 1e9,
    "t": 1e12,
    "ki": 2**10,
    "mi": 2**20,
    "gi": 2**30,
    "ti": 2**40,
}


def parse_size(text: str) -> int:
    """Bytes in "64MiB", "1MB", "512k" or "100"; raise UsageError otherwise."""
    match = _SIZE.match(text)
    if not match:
        raise UsageError(f"size {text!r} is not a number of bytes such as 64MiB, 10MB or 4096")
    unit = (match.group(2) or "").lower().rstrip("b")
    value = int(float(match.group(1)) * _UNITS[unit])
    if value < 1:
        raise UsageError(f"size {text!r} must be at least 1 byte")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _add_run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "job",
        help="job file (path/to/job.py) or built-in job name (latest_by_key, "
        "word_count, group_aggregate, top_n, sum_numbers)",
    )
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="files, globs or directories")
    run.add_argument("-o", "--output", required=True, metavar="OUT", help="output directory")
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a job parameter (repeatable)",
    )
    run.add_argument(
        "--input-format",
        choices=("ndjson", "json", "csv", "parquet", "text"),
        help="format of every input (default: from each file's extension)",
    )
    run.add_argument(
        "--output-format",
        choices=("ndjson", "csv", "parquet"),
        default="ndjson",
        help="format of the part files (default: ndjson)",
    )
    run.add_argument(
        "--executor",
        choices=("sequential", "thread", "process"),
        default="process",
        help="how tasks run (default: process)",
    )
    run.add_argument("--workers", type=_positive, help="worker count (default: CPU count)")
    run.add_argument("--reducers", type=_positive, help="reduce partitions (default: workers)")
    run.add_argument(
        "--split-size",
        type=parse_size,
        metavar="SIZE",
        help="bytes per split, e.g. 64MiB (default: 64MiB, smaller when needed "
        "to give every worker two splits)",
    )
    run.add_argument("--overwrite", action="store_true", help="replace a non-empty OUT")
    run.add_argument(
        "--skip-bad-records",
        action="store_true",
        help="skip malformed records, logging them to OUT/_rejects.jsonl",
    )
    run.add_argument(
        "--max-bad-records",
        type=int,
        metavar="N",
        help="with --skip-bad-records: fail when more than N are bad",
    )
    run.add_argument(
        "--max-attempts",
        type=_positive,
        default=3,
        help="attempts per task before the job fails (default: 3)",
    )
    run.add_argument(
        "--task-timeout",
        type=float,
        metavar="SECONDS",
        help="kill and retry a task running longer than this (process executor)",
    )
    _add_common(run)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        default=".mapreduce",
        help="where the run ledger and work files live (default: .mapreduce)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def build_parser(job_help: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; `job_help` lists a job's parameters under `run JOB --help`."""
    parser = argparse.ArgumentParser(
        prog="mapreduce",
        description="Split big files into byte ranges, map them in parallel, shuffle by key, "
        "reduce.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run a job over inputs",
        epilog=job_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_run_options(run)
    resume = sub.add_parser("resume", help="finish an interrupted or failed run")
    resume.add_argument("run_id", metavar="RUN_ID")
    _add_common(resume)
    status = sub.add_parser("status", help="list runs, or show one run's tasks")
    status.add_argument("run_id", nargs="?", metavar="RUN_ID")
    _add_common(status)
    purge = sub.add_parser("purge", help="delete finished runs' records and work files")
    purge.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 7d, 12h, 30m")
    purge.add_argument(
        "--state",
        choices=("done", "failed"),
        action="append",
        help="only runs in this state (repeatable; default: done and failed)",
    )
    _add_common(purge)
    demo = sub.add_parser("demo", help="generate versioned users and run latest_by_key on them")
    demo.add_argument("--rows", type=_positive, default=1_000_000, help="rows (default: 1000000)")
    demo.add_argument("--workers", type=_positive, help="process workers (default: CPU count)")
    demo.add_argument("--dir", help="keep the data and outputs here (default: a temporary dir)")
    _add_common(demo)
    return parser


def _job_help(argv: Sequence[str]) -> str | None:
    """Parameters of the job named in `run JOB ... --help`, or None."""
    if len(argv) < 2 or argv[0] != "run" or not {"-h", "--help"} & set(argv):
        return None
    name = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    if name is None:
        return None
    from mapreduce.job import load_job_class, resolve_job_path

    try:
        cls, _ = load_job_class(resolve_job_path(name))
    except MapReduceError as exc:
        return f"job {name}: {exc}"
    summary = (cls.__doc__ or "").strip().splitlines()
    lines = [f"job {cls.__name__}" + (f": {summary[0]}" if summary else "")]
    lines.append("job parameters (-p NAME=VALUE):")
    for pname, param in cls.params().items():
        lines.append(
            f"  {pname:<16} {param.type.__name__:<6} default {param.default!r}"
            + (f"  {param.help}" if param.help else "")
        )
    if len(lines) == 2:
        lines.append("  (none)")
    return "\n".join(lines)


def _progress(args: argparse.Namespace) -> Any:
    from mapreduce.display import make_progress

    return make_progress(args.quiet)


def _cmd_run(args: argparse.Namespace) -> int:
    from mapreduce.display import render_summary
    from mapreduce.engine import RunSpec, run
    from mapreduce.job import load_job_class, resolve_job_path

    if args.max_bad_records is not None and not args.skip_bad_records:
        raise UsageError("--max-bad-records needs --skip-bad-records")
    if args.task_timeout is not None and args.executor != "process":
        raise UsageError("--task-timeout needs --executor process (threads cannot be stopped)")
    cls, _ = load_job_class(resolve_job_path(args.job))
    spec = RunSpec(
        job=args.job,
        inputs=tuple(args.inputs),
        out=args.output,
        params=cls.parse_params(args.param),
        input_format=args.input_format,
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
    summary = run(spec, _progress(args))  # type: ignore[arg-type]
    print(render_summary(summary))
    return 0


def _cmd_resume(args: argparse.Namespace) -> int:
    from mapreduce.display import render_summary
    from mapreduce.engine import resume

    summary = resume(args.run_id, args.state_dir, _progress(args))  # type: ignore[arg-type]
    print(render_summary(summary))
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from mapreduce.console import render_run, render_runs
    from mapreduce.ledger import Ledger

    with Ledger(args.state_dir) as ledger:
        if args.run_id:
            print(render_run(ledger.get_run(args.run_id), ledger.tasks(args.run_id), time.time()))
        else:
            print(render_runs(ledger.list_runs(), time.time()))
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from mapreduce.console import parse_age, render_purge
    from mapreduce.ledger import Ledger

    older_than = parse_age(args.older_than)
    with Ledger(args.state_dir) as ledger:
        result = ledger.purge(older_than=older_than, states=args.state or ("done", "failed"))
    print(render_purge(result))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from mapreduce.demo import run_demo

    return run_demo(
        rows=args.rows,
        workers=args.workers,
        directory=args.dir,
        state_dir=args.state_dir,
        quiet=args.quiet,
    )


_COMMANDS = {
    "run": _cmd_run,
    "resume": _cmd_resume,
    "status": _cmd_status,
    "purge": _cmd_purge,
    "demo": _cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `mapreduce` and `python -m mapreduce`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_job_help(argv))
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except MapReduceError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; `mapreduce resume RUN_ID` finishes the run", file=sys.stderr)
        return 130
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error:{where} {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
