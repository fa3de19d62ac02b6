"""Fault injection for rehearsing failures: `MAPREDUCE_FAULTS="map:3:kill,reduce:0:raise"`.

Each entry is KIND:INDEX:FAULT and makes that task fail on its first attempt only, so a
run with faults must still finish with the fault-free output. Faults:

    raise   the task raises RuntimeError
    exit    the worker process calls os._exit(70)
    kill    the worker process is killed with SIGKILL
    segv    the worker process dies of a segmentation fault
    hang    the task sleeps for an hour (use with --task-timeout)

exit, kill, segv and hang need the process executor: in-process executors get `raise`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

from mapreduce.errors import UsageError

__all__ = ["FAULTS", "inject", "parse_faults"]

FAULTS = ("raise", "exit", "kill", "segv", "hang")
ENV_VAR = "MAPREDUCE_FAULTS"


def parse_faults(text: str | None) -> dict[str, str]:
    """Map task ids (e.g. `map-00003`) to the fault they get on their first attempt."""
    faults: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in (text or "").split(","))):
        parts = entry.split(":")
        if len(parts) != 3 or parts[0] not in ("map", "reduce", "load") or not parts[1].isdigit():
            raise UsageError(f"{ENV_VAR} entry {entry!r} is not KIND:INDEX:FAULT (e.g. map:3:kill)")
        if parts[2] not in FAULTS:
            raise UsageError(f"{ENV_VAR} fault {parts[2]!r} is not one of {', '.join(FAULTS)}")
        faults[f"{parts[0]}-{int(parts[1]):05d}"] = parts[2]
    return faults


def inject(fault: str | None) -> None:
    """Make the current task fail the way `fault` says (called at the start of a task)."""
    if fault is None:
        return
    if fault == "raise":
        raise RuntimeError("injected fault: raise")
    if fault == "exit":
        os._exit(70)
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "segv":
        ctypes.string_at(0)
    if fault == "hang":
        time.sleep(3600)
