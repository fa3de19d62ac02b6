"""Output directories: refusing to clobber, staging next to OUT, and the atomic commit.

Reduce tasks write their parts into a staging directory beside OUT (same filesystem, so
a rename publishes it). `_SUCCESS` is written last into staging, then staging is renamed
to OUT: readers see either the old OUT or the whole new one, never a half-written job.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

import orjson

from mapreduce.errors import OutputError

__all__ = ["EXTENSIONS", "check_output", "commit", "part_name", "staging_dir"]

EXTENSIONS = {"ndjson": "jsonl", "csv": "csv", "parquet": "parquet"}


def part_name(partition: int, output_format: str) -> str:
    """`part-00003.jsonl` and friends."""
    return f"part-{partition:05d}.{EXTENSIONS.get(output_format, output_format)}"


def check_output(out: Path, overwrite: bool) -> None:
    """Refuse an OUT that is a file, or a non-empty directory without --overwrite."""
    if out.is_file() or (out.exists() and not out.is_dir()):
        raise OutputError(f"output {out} exists and is not a directory; choose another -o")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise OutputError(
            f"output directory {out} exists and is not empty; pass --overwrite to replace it"
        )
    parent = out.resolve().parent
    if not parent.is_dir():
        raise OutputError(f"cannot create output {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot create output {out}: folder {parent} is not writable")


def staging_dir(out: Path, run_id: str) -> Path:
    """The private directory beside OUT where a run's parts are written before commit."""
    return out.resolve().parent / f".{out.name}.{run_id}.staging"


def publish_json(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON file under a temporary name, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    os.replace(tmp, path)


def commit(staging: Path, out: Path, success: dict[str, Any], overwrite: bool) -> None:
    """Write `_SUCCESS` last, then swap the staging directory in as OUT."""
    check_output(out, overwrite)
    publish_json(staging / "_SUCCESS", success)
    old: Path | None = None
    if out.is_dir():
        if any(out.iterdir()):
            old = staging.with_name(staging.name.replace(".staging", ".old"))
            os.rename(out, old)
        else:
            out.rmdir()
    os.rename(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed run; OUT is left as it was."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(staging)
