"""The package layout: the public API, and imports that run one way through the layers.

    core (errors, job, jobfile, keys, timestamps, exactsum)
        ◄─ formats ◄─ sinks ◄─ worker ◄─ engine ◄─ cli

A module may import its own layer and the layers below it, never above; and no two
modules import each other, even under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mapreduce

PACKAGE = Path(mapreduce.__file__).parent
LAYERS = ["core", "formats", "sinks", "worker", "engine", "cli"]


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "core"


def _imports() -> dict[str, set[str]]:
    """Every mapreduce module → the mapreduce modules it imports (at any depth of code)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[module] = {name for name in found if name.split(".")[0] == "mapreduce"}
    return graph


def test_public_api_is_pinned():
    assert mapreduce.__all__ == [
        "BadRecord",
        "BadRecordError",
        "InputError",
        "Job",
        "JobError",
        "JobFileError",
        "MapReduceError",
        "OutputError",
        "Param",
        "RawJSON",
        "ResumeError",
        "RunSpec",
        "RunSummary",
        "Step",
        "TaskFailedError",
        "UsageError",
        "canonical_key",
        "exactsum",
        "latest",
        "parse_instant",
        "resume",
        "run",
        "sort_key",
    ]
    assert all(hasattr(mapreduce, name) for name in mapreduce.__all__)


def test_imports_run_one_way_through_the_layers():
    wrong = []
    for module, imported in _imports().items():
        if module in ("mapreduce", "mapreduce.__main__"):
            continue  # the public API re-exports every layer; __main__ starts the cli
        for target in imported:
            if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module)):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycles():
    graph = _imports()
    graph.pop("mapreduce")
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                cycles.append(" → ".join([*path[path.index(target) :], target]))
            elif target in graph and target not in done:
                visit(target, [*path, target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []


def test_built_in_jobs_import_only_the_public_api():
    jobs = PACKAGE.parent / "jobs"
    private = []
    for path in jobs.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mapreduce."):
                private.append(f"{path.name}: {node.module}")
    assert private == []


def _python(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**{k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}, **env},
    )
    return done.stdout.strip()


def test_the_public_api_imports_the_engine_on_first_use():
    code = "import sys, mapreduce; print('numpy' in sys.modules, mapreduce.run.__name__)"
    assert _python(code) == "False run"  # `from mapreduce import Job` in a job file stays light


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
@pytest.mark.parametrize(
    ("given", "threads"), [({}, "1 1"), ({"OPENBLAS_NUM_THREADS": "2"}, "2 2")]
)
def test_the_command_starts_no_blas_threads_unless_asked(given, threads):
    # OpenBLAS's threads keep the process's name; allocators' own threads are named
    code = (
        "import os, mapreduce.cli, numpy\n"
        "tasks = sorted(os.listdir('/proc/self/task'), key=int)\n"
        "names = [open(f'/proc/self/task/{t}/comm').read() for t in tasks]\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], names.count(names[0]))"
    )
    assert _python(code, **given) == threads
