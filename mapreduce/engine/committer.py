"""Output directories: refusing to clobber, staging next to OUT, and the atomic commit.

Reduce tasks write their parts into a staging directory beside OUT (same filesystem, so
a rename publishes it). `_SUCCESS` is written last into staging, then staging is renamed
to OUT: readers see either the old OUT or the whole new one, never a half-written job.

The commit is resumable at every step (issue 8). A coordinator killed in it leaves:

    after-success     staging holds _SUCCESS, OUT is as it was   → the re-run commits again
    after-rename-old  the old OUT moved aside, no OUT            → the re-run commits, drops it
    after-rename      OUT holds this run's _SUCCESS, not marked  → the re-run marks it done

`MAPREDUCE_CRASH_AT=<step>` (one of those names) kills the coordinator right there, to
rehearse it; like MAPREDUCE_FAULTS it is for tests and drills, never set in production.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from mapreduce.errors import OutputError
from mapreduce.formats.files import InputFile

__all__ = [
    "CRASH_POINTS",
    "CRASH_VAR",
    "EXTENSIONS",
    "check_apart",
    "check_output",
    "check_state_apart",
    "commit",
    "committed",
    "drop_leftovers",
    "part_name",
    "staging_dir",
]

EXTENSIONS = {"ndjson": "jsonl", "csv": "csv", "parquet": "parquet"}
CRASH_VAR = "MAPREDUCE_CRASH_AT"
CRASH_POINTS = ("after-success", "after-rename-old", "after-rename")


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


def check_apart(out: Path, patterns: Sequence[str], files: Sequence[InputFile]) -> None:
    """Refuse an OUT that is, holds or lies inside an input, symlinks resolved (issue 8).

    Replacing such an OUT would delete inputs, and a second run would read the first
    one's parts as input. Checked before anything is written or deleted.
    """
    if "://" in str(out):  # a database URL, not a folder
        return
    target = os.path.realpath(out)
    given = [p for p in patterns if os.path.lexists(p)]
    for path in [*given, *(file.path for file in files)]:
        real = os.path.realpath(path)  # strings, not Paths: thousands of inputs add up
        if real == target:
            how = "is the input"
        elif _inside(target, real):
            how = "lies inside the input"
        elif _inside(real, target):
            how = "holds the input"
        else:
            continue
        raise OutputError(f"output {out} {how} {path}; choose an -o outside every input")


def check_state_apart(out: Path, state_dir: str) -> None:
    """Refuse a state dir that is OUT or lies inside it: the commit replaces OUT, and the
    ledger (every run it records) would go with it. Checked before the ledger is made."""
    if "://" in str(out):
        return
    target, state = os.path.realpath(out), os.path.realpath(state_dir)
    if state == target or _inside(state, target):
        msg = (
            f"state dir {state_dir} lies inside the output {out}, which a run replaces "
            "(and the run ledger with it); choose a --state-dir outside -o"
        )
        raise OutputError(msg)


def _inside(path: str, folder: str) -> bool:
    """Whether the resolved `path` lies below the resolved `folder`."""
    return path.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


def staging_dir(out: Path, run_id: str) -> Path:
    """The private directory beside OUT where a run's parts are written before commit."""
    return out.resolve().parent / f".{out.name}.{run_id}.staging"


def _old_dir(staging: Path) -> Path:
    """Where the commit moves the OUT it replaces, until the new one is in place."""
    return staging.with_name(staging.name.removesuffix(".staging") + ".old")


def publish_json(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON file under a temporary name, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    os.replace(tmp, path)


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_VAR) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def commit(staging: Path, out: Path, success: dict[str, Any], overwrite: bool) -> None:
    """Write `_SUCCESS` last, then swap the staging directory in as OUT."""
    check_output(out, overwrite)
    publish_json(staging / "_SUCCESS", success)
    _crash_point("after-success")
    old = _old_dir(staging)
    if out.is_dir():
        if any(out.iterdir()):
            shutil.rmtree(old, ignore_errors=True)  # an OUT a killed commit moved aside
            os.rename(out, old)
            _crash_point("after-rename-old")
        else:
            out.rmdir()
    os.rename(staging, out)
    _crash_point("after-rename")
    shutil.rmtree(old, ignore_errors=True)  # this commit's, or a killed commit's


def committed(out: Path, run_id: str) -> dict[str, Any] | None:
    """OUT's `_SUCCESS` document if this run wrote it (its commit finished), else None."""
    try:
        document = orjson.loads((out / "_SUCCESS").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if isinstance(document, dict) and document.get("run_id") == run_id:
        return document
    return None


def drop_leftovers(out: Path, run_id: str) -> None:
    """Remove what a commit killed after its rename left beside OUT (the replaced OUT)."""
    staging = staging_dir(out, run_id)
    shutil.rmtree(_old_dir(staging), ignore_errors=True)
    discard(staging)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed run; OUT is left as it was."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(staging)
