"""The argument parser of `python -m mapreduce`: commands, options and their value types."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

from mapreduce.engine.executors import EXECUTORS
from mapreduce.errors import MapReduceError, UsageError
from mapreduce.formats.csvfile import delimiter_named
from mapreduce.formats.registry import INPUT_FORMATS, OUTPUT_FORMATS
from mapreduce.jobfile import load_job_class, resolve_job_path

__all__ = ["Parser", "build_parser", "job_help", "parse_size"]

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


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error is one line (and exit 2), like every error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}; see `{self.prog} --help`\n")


def _size(text: str) -> int:
    # argparse turns only ArgumentTypeError, TypeError and ValueError into a usage error;
    # anything else from a type function escapes as a traceback (issue 8).
    try:
        return parse_size(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


FORMAT_ALIASES = {"jsonl": "ndjson", "txt": "text"}


def _format_name(text: str) -> str:
    """A format's name; its file extension's spelling (jsonl, txt) names it too."""
    return FORMAT_ALIASES.get(text.lower(), text.lower())


def _delimiter(text: str) -> str:
    try:
        return delimiter_named(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    run.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output directory; - for standard output (NDJSON or CSV; the summary goes "
        "to stderr); or a table: sqlite:///path.db?table=T or "
        "postgresql://user@host:port/db?table=T",
    )
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
        choices=INPUT_FORMATS,
        type=_format_name,
        help="format of every input (default: from each file's extension; jsonl is ndjson)",
    )
    run.add_argument(
        "--delimiter",
        type=_delimiter,
        metavar="CHAR",
        help="field separator of CSV inputs, e.g. ';' or tab (default: a tab in .tsv and "
        ".tab files, else a comma)",
    )
    run.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        type=_format_name,
        default="ndjson",
        help="format of the part files (default: ndjson; jsonl is ndjson)",
    )
    run.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="process",
        help="how tasks run (default: process)",
    )
    run.add_argument("--workers", type=_positive, help="worker count (default: CPU count)")
    run.add_argument("--reducers", type=_positive, help="reduce partitions (default: workers)")
    run.add_argument(
        "--split-size",
        type=_size,
        metavar="SIZE",
        help="bytes per split, e.g. 64MiB (default: at most 64MiB, sized so that "
        "every worker gets as many splits, two at least); small files are packed into "
        "one map task up to this size",
    )
    run.add_argument("--overwrite", action="store_true", help="replace a non-empty OUT")
    run.add_argument(
        "--skip-bad-records",
        action="store_true",
        help="skip malformed records, logging them to OUT/_rejects.jsonl",
    )
    run.add_argument(
        "--max-bad-records",
        type=_count,
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
        type=_seconds,
        metavar="SECONDS",
        help="kill and retry a task running longer than this (process executor)",
    )
    _add_common(run)


def _add_common(
    parser: argparse.ArgumentParser,
    state_dir: str | None = ".mapreduce",
    state_help: str = ".mapreduce",
) -> None:
    parser.add_argument(
        "--state-dir",
        default=state_dir,
        help=f"where the run ledger and work files live (default: {state_help})",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars, and no summary on success"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def _version() -> str:
    import importlib.metadata  # only for --version: looking it up costs start-up

    try:
        return importlib.metadata.version("mapreduce")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "unknown"


class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        print(f"mapreduce {_version()}")
        parser.exit()


def build_parser(job_help: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; `job_help` lists a job's parameters under `run JOB --help`."""
    parser = Parser(
        prog="mapreduce",
        description="Split big files into byte ranges, map them in parallel, shuffle by key, "
        "reduce.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run a job over inputs",
        epilog=job_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_run_options(run)
    resume = sub.add_parser("resume", help="finish an interrupted or failed run")
    resume.add_argument(
        "run_id", metavar="RUN_ID", help="the run to finish, as `mapreduce status` lists it"
    )
    _add_common(resume)
    status = sub.add_parser("status", help="list runs, or show one run's tasks")
    status.add_argument(
        "run_id", nargs="?", metavar="RUN_ID", help="show this run's tasks and counters"
    )
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
    _add_common(demo, None, ".mapreduce beside the data, so a temporary one goes with it")
    return parser


def job_help(argv: Sequence[str]) -> str | None:
    """Parameters of the job named in `run JOB ... --help`, or None."""
    if len(argv) < 2 or argv[0] != "run" or not {"-h", "--help"} & set(argv):
        return None
    name = next((arg for arg in argv[1:] if not arg.startswith("-")), None)
    if name is None:
        return None
    try:
        cls, _ = load_job_class(resolve_job_path(name))
    except MapReduceError as exc:
        return f"job {name}: {exc}"
    summary = (cls.__doc__ or "").strip().splitlines()
    lines = [f"job {cls.__name__}" + (f": {summary[0]}" if summary else "")]
    lines.append("job parameters (-p NAME=VALUE):")
    for pname, param in cls.params().items():
        limits = []
        if param.choices is not None:
            limits.append("one of " + ", ".join(str(choice) for choice in param.choices))
        if param.minimum is not None:
            limits.append(f"at least {param.minimum}")
        lines.append(
            f"  {pname:<16} {param.type.__name__:<6} default {param.default!r}"
            + (f"  {param.help}" if param.help else "")
            + (f" ({'; '.join(limits)})" if limits else "")
        )
    if len(lines) == 2:
        lines.append("  (none)")
    return "\n".join(lines)
