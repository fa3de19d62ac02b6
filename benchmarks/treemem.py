"""Wall time and peak memory of a command's whole process tree, sampled from /proc.

Memory is reported two ways, both summed over the tree:

- PSS (proportional set size, /proc/PID/smaps_rollup): each page shared by n processes
  counts 1/n in each, so a page shared by forked workers and their parent (the
  interpreter, numpy's and pyarrow's libraries, the parent's heap before the fork) counts
  once. This is the memory the tree takes from the machine, and the figure compared.
- RSS: each process's resident pages, shared ones counted in every process that maps
  them; it overstates a forked pool by the libraries each worker shares.

The root process's own RSS peak is kept too (the coordinator, for mapreduce).

`precompile` writes the bytecode caches of the packages under test before any timed run,
as their first import on a user's machine does.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import subprocess
import threading
import time

__all__ = ["measure", "precompile", "timed", "tree_memory"]


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def _rss_pss(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; zeros once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def tree_memory(root: int) -> tuple[float, float, float]:
    """(PSS, RSS, the root's own RSS) of `root` and all its descendants, in MiB."""
    children = _children()
    total_rss = total_pss = root_rss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        rss, pss = _rss_pss(pid)
        total_rss, total_pss = total_rss + rss, total_pss + pss
        if pid == root:
            root_rss = rss
        stack.extend(children.get(pid, []))
    return total_pss / 2**20, total_rss / 2**20, root_rss / 2**20


def precompile(*packages: str) -> None:
    """Write the bytecode caches (__pycache__) of these packages. Installed wheels come
    with them (pip compiles at install) and a source checkout writes them on its first
    import, but where PYTHONDONTWRITEBYTECODE is set a source install recompiles all of
    its modules in every run: 0.06 s of every mapreduce run, a cost no user pays twice."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=1)


def timed(argv: list[str]) -> float:
    """Run a command without sampling it; its wall seconds. Sampling reads every process's
    page tables 20 times a second, which slowed a 2-worker run by about 15% on 2 cores
    (and a one-core run hardly), so times come from runs of their own."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {proc.stderr.strip()[-800:]}")
    return wall


def measure(argv: list[str], interval: float = 0.05) -> dict[str, float]:
    """Run a command; its wall seconds and the peaks of tree_memory while it ran."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0.0, 0.0, 0.0]

    def sample() -> None:
        while proc.poll() is None:
            peaks[:] = map(max, peaks, tree_memory(proc.pid))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed: {stderr.strip()[-800:]}")
    return {
        "seconds": wall,
        "tree_peak_mb": peaks[0],
        "tree_rss_peak_mb": peaks[1],
        "root_rss_peak_mb": peaks[2],
    }
