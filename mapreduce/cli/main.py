"""Command line: `python -m mapreduce run|resume|status|purge|demo`.

Parses arguments (cli.args), runs the command (cli.commands), and turns every expected
failure into one sentence and its exit code (`--debug` adds the traceback, with the
worker's chained under it): the MapReduceError tree, OSError (a full disk, a permission)
and sqlite3.Error (a ledger problem the ledger did not word itself).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from mapreduce.cli.args import build_parser, job_help
from mapreduce.cli.commands import COMMANDS
from mapreduce.engine.allocator import tune_allocator
from mapreduce.errors import MapReduceError, StateError

__all__ = ["console_main", "exit_now", "main"]

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `mapreduce` and `python -m mapreduce`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(job_help(argv))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # -o - into `head`: the reader had enough, as for any Unix tool
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (MapReduceError, OSError, sqlite3.Error) as exc:
        if args.debug:
            traceback.print_exc()
        text, code = sentence(exc)
        print(f"error: {text}", file=sys.stderr)
        return code


def console_main() -> NoReturn:
    """The `mapreduce` command and `python -m mapreduce`: main(), then exit_now, with
    the allocator tuned for block-at-a-time work (engine.allocator)."""
    tune_allocator()
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """Flush the output, run the atexit handlers, then end the process at once.

    The interpreter's own teardown frees every object of numpy, pyarrow and the run one
    by one, 0.05-0.1 s of every command; the operating system frees it all in one go.
    Files the run wrote are closed by then, so nothing is lost by skipping it. Under a
    profiler or a tracer (which write their report after the program), it exits as usual.
    """
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to show
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def sentence(exc: MapReduceError | OSError | sqlite3.Error) -> tuple[str, int]:
    """The one sentence and the exit code for an expected failure."""
    if isinstance(exc, MapReduceError):
        return str(exc), exc.exit_code
    if isinstance(exc, sqlite3.Error):
        text = f"the run ledger failed: {exc}; check the --state-dir, or pass another"
        return text, StateError.exit_code
    where = f"{exc.filename}: " if exc.filename else ""
    what = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in _FULL:
        return f"{where}{what}: free some space, then run the command again", 1
    return f"{where}{what}", 1


if __name__ == "__main__":  # pragma: no cover
    console_main()
