"""Finding and loading a job file: the one Job subclass it defines, checked for shape
at load time, and the JobRef a worker rebuilds it from (refused if the file changed).

As when Python runs a script, the job file's folder comes first on `sys.path` (in the
coordinator and in every worker that loads it), so a job imports its sibling modules."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapreduce.errors import JobFileError
from mapreduce.job import BATCH_MERGES, Job

__all__ = ["JobRef", "instantiate", "load_job_class", "resolve_job_path"]


@dataclass(frozen=True, slots=True)
class JobRef:
    """What a worker needs to rebuild the job: file, class name, parameters, file digest."""

    path: str
    class_name: str
    params: tuple[tuple[str, Any], ...]
    digest: str


_BUILTIN_DIR = Path(__file__).resolve().parent.parent / "jobs"
_LOADED: dict[tuple[str, str], type[Job]] = {}


def resolve_job_path(name: str) -> Path:
    """A job file path, or the name of a built-in job in jobs/ (e.g. `latest_by_key`)."""
    path = Path(name)
    if path.suffix == ".py" or path.exists():
        return path
    builtin = _BUILTIN_DIR / f"{name}.py"
    if builtin.is_file():
        return builtin
    return path


def load_job_class(path: str | Path) -> tuple[type[Job], str]:
    """Load the one Job subclass a file defines; return it with the file's digest."""
    path = Path(path)
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise JobFileError(f"cannot read job file {path}: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(source).hexdigest()[:16]
    cached = _LOADED.get((str(path), digest))
    if cached is not None:
        return cached, digest
    module_name = f"_mapreduce_job_{digest}"
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        msg = f"job file {path} line {exc.lineno}: syntax error: {exc.msg}"
        raise JobFileError(msg) from exc
    _importable_beside(path)
    spec = importlib.util.spec_from_loader(module_name, loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        del sys.modules[module_name]
        msg = f"job file {path} failed to load: {type(exc).__name__}: {exc}"
        raise JobFileError(msg) from exc
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Job) and value.__module__ == module_name
    ]
    if len(classes) != 1:
        names = ", ".join(cls.__name__ for cls in classes) or "none"
        msg = f"job file {path} must define exactly one Job subclass, found {len(classes)}: {names}"
        raise JobFileError(msg)
    _check_shape(classes[0], path)
    _LOADED[(str(path), digest)] = classes[0]
    return classes[0], digest


def _importable_beside(path: Path) -> None:
    """Put a user's job file's folder first on sys.path (built-in jobs need nothing)."""
    folder = str(path.resolve().parent)
    if folder != str(_BUILTIN_DIR) and folder not in sys.path:
        sys.path.insert(0, folder)


def _check_shape(cls: type[Job], path: Path) -> None:
    """Refuse at load time what would only fail, or silently misbehave, at run time."""
    if cls.steps is not Job.steps:
        return  # a multi-step job says what it runs in steps()
    has_merge = cls.merge is not Job.merge  # type: ignore[attr-defined]
    has_reduce = cls.reduce is not Job.reduce  # type: ignore[attr-defined]
    if cls.map is Job.map:
        raise JobFileError(f"job {cls.__name__} in {path} defines no map(record) method")
    if has_merge and has_reduce:
        msg = f"job {cls.__name__} in {path} defines both merge() and reduce(); keep one"
        raise JobFileError(msg)
    if not has_merge and not has_reduce:
        raise JobFileError(f"job {cls.__name__} in {path} defines neither merge() nor reduce()")
    if cls.defines_map_batch() and (cls.batch_merge not in BATCH_MERGES or has_reduce):
        merges = " or ".join(repr(name) for name in BATCH_MERGES)
        msg = (
            f"job {cls.__name__} in {path} defines map_batch(); "
            f"it needs merge() and batch_merge = {merges}"
        )
        raise JobFileError(msg)


def instantiate(ref: JobRef) -> Job:
    """Rebuild the job a JobRef names (in a worker); refuse a file changed since planning."""
    cls, digest = load_job_class(ref.path)
    if digest != ref.digest:
        raise JobFileError(f"job file {ref.path} changed while the job was running")
    return cls(dict(ref.params))
