"""Command line: `python -m mapreduce run|resume|status|purge|demo`.

Parses arguments (cli.args), runs the command (cli.commands), and turns every expected
failure into one sentence and its exit code (`--debug` adds the traceback, with the
worker's chained under it).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from mapreduce.cli.args import build_parser, job_help
from mapreduce.cli.commands import COMMANDS
from mapreduce.errors import MapReduceError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `mapreduce` and `python -m mapreduce`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(job_help(argv))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
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
