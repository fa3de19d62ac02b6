"""`run -o -`: a run's output written to standard output.

Standard output cannot take part files from several reduce tasks at once, nor be
replaced atomically, so the run commits into a folder of its own in the state dir as
any run does; its parts are then copied out in partition order (a CSV output's header
once: every part has the same header) and the folder is removed. The bad-record log,
if there is one, goes to standard error after the summary, so no reason is lost.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from mapreduce.engine.spec import RunSpec, RunSummary
from mapreduce.errors import UsageError

__all__ = ["SHOWN", "STDOUT", "copy_parts", "run_to_stdout"]

STDOUT = "-"
SHOWN = "standard output"  # the OUT a summary shows
_CHUNK = 1 << 20


def run_to_stdout(
    spec: RunSpec, state_dir: str, carry: Callable[[RunSpec], RunSummary]
) -> RunSummary:
    """Run `spec` (its OUT is `-`) through `carry` into a folder of the state dir, copy
    its parts to standard output, and remove the folder; return the summary, whose OUT
    reads SHOWN."""
    if spec.output_format == "parquet":
        msg = "-o - writes NDJSON or CSV: Parquet parts cannot be joined into one stream"
        raise UsageError(msg + "; pass -o FOLDER")
    folder = Path(state_dir) / "stdout" / uuid.uuid4().hex[:12]
    out = folder / "out"
    try:
        folder.mkdir(parents=True)
        summary = carry(dataclasses.replace(spec, out=str(out)))
        copy_parts(sorted(out.glob("part-*")), sys.stdout.buffer)
        rejects = out / "_rejects.jsonl"
        if rejects.is_file():
            sys.stdout.flush()
            with open(rejects, "rb") as f:
                shutil.copyfileobj(f, sys.stderr.buffer, _CHUNK)
            sys.stderr.flush()
        return dataclasses.replace(summary, out=SHOWN, files=[])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_parts(parts: list[Path], sink: BinaryIO) -> None:
    """Copy the parts to `sink` in order; of CSV parts, only the first's header."""
    header = _header_length(parts[0]) if parts and parts[0].suffix == ".csv" else 0
    for number, part in enumerate(parts):
        with open(part, "rb") as f:
            if number and header:
                f.seek(header)
            shutil.copyfileobj(f, sink, _CHUNK)
    sink.flush()


def _header_length(part: Path) -> int:
    """Bytes of a CSV part's header record (a quoted name may hold a line break)."""
    length = quotes = 0
    with open(part, "rb") as f:
        for line in f:
            length += len(line)
            quotes += line.count(b'"')
            if quotes % 2 == 0:
                break
    return length
