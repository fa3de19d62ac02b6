"""The package layout: the public API, and imports that run one way through the layers.

    core (errors, job, jobfile, keys, timestamps, exactsum)
        ◄─ formats ◄─ sinks ◄─ worker ◄─ engine ◄─ cli

A module may import its own layer and the layers below it, never above; and no two
modules import each other, even under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

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
