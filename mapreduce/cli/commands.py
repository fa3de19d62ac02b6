"""The commands of `python -m mapreduce`: run, resume, status, purge and demo."""

from __future__ import annotations

import argparse
import time

from mapreduce.cli.bars import make_progress
from mapreduce.cli.demo import run_demo
from mapreduce.cli.render import parse_age, render_purge, render_run, render_runs, render_summary
from mapreduce.engine.api import resume, run
from mapreduce.engine.ledger import Ledger
from mapreduce.engine.progress import Progress
from mapreduce.engine.spec import RunSpec
from mapreduce.errors import UsageError

__all__ = ["COMMANDS"]


def _progress(args: argparse.Namespace) -> Progress:
    return make_progress(args.quiet)


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
    summary = run(spec, _progress(args))
    print(render_summary(summary))
    return 0


def _cmd_resume(args: argparse.Namespace) -> int:
    summary = resume(args.run_id, args.state_dir, _progress(args))
    print(render_summary(summary))
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    with Ledger(args.state_dir) as ledger:
        if args.run_id:
            print(render_run(ledger.get_run(args.run_id), ledger.tasks(args.run_id), time.time()))
        else:
            print(render_runs(ledger.list_runs(), time.time()))
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    older_than = parse_age(args.older_than)
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
