"""Finding and loading a job file: the one Job subclass it defines, checked for shape
at load time, and the JobRef a worker rebuilds it from (refused if the code changed).

As when Python runs a script, the job file's folder comes first on `sys.path` (in the
coordinator and in every worker that loads it), so a job imports its sibling modules.
The job's digest covers the file and the modules it imports from its folder (found
through its globals, at any depth), so an edited helper is a changed job: a rerun starts
afresh instead of reusing map outputs the old helper made. A module imported only inside
map() is not seen."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from mapreduce.errors import JobFileError
from mapreduce.job import BATCH_MERGES, Job

__all__ = ["JobRef", "changed_code", "instantiate", "load_job_class", "resolve_job_path"]


@dataclass(frozen=True, slots=True)
class JobRef:
    """What a worker needs to rebuild the job: file, class name, parameters, file digest."""

    path: str
    class_name: str
    params: tuple[tuple[str, Any], ...]
    digest: str


_BUILTIN_DIR = Path(__file__).resolve().parent.parent / "jobs"
_OURS = frozenset({"mapreduce", "datagen", "jobs"})  # packages that ship with mapreduce


@dataclass(frozen=True, slots=True)
class _Loaded:
    job: type[Job]
    helpers: dict[str, Path]  # module name -> file, of the modules it imports from its folder
    digest: str


_LOADED: dict[tuple[str, str], _Loaded] = {}


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
    """Load the one Job subclass a file defines; return it with the job's digest (of the
    file and of the modules it imports from its folder)."""
    path = Path(path)
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise JobFileError(f"cannot read job file {path}: {exc.strerror or exc}") from exc
    own = hashlib.sha256(source).hexdigest()[:16]
    cached = _LOADED.get((str(path), own))
    if cached is not None:
        if _digest(source, cached.helpers) == cached.digest:
            return cached.job, cached.digest
        for name in cached.helpers:  # an edited helper: import it again, and the job
            sys.modules.pop(name, None)
    before = set(sys.modules)
    job, module = _exec_job(path, source, own)
    imported = [sys.modules[name] for name in sys.modules.keys() - before]
    helpers = _helpers([module, *imported], path.resolve().parent)
    loaded = _Loaded(job, helpers, _digest(source, helpers))
    _LOADED[(str(path), own)] = loaded
    return job, loaded.digest


def _exec_job(path: Path, source: bytes, own: str) -> tuple[type[Job], ModuleType]:
    """Run the job file as a module of its own; its one Job subclass, checked."""
    module_name = f"_mapreduce_job_{own}"
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
    return classes[0], module


def _helpers(modules: list[ModuleType], folder: Path) -> dict[str, Path]:
    """The modules under `folder` among `modules` (the job's, then those its loading
    imported), and those they reach through their globals (a module, or a function or
    class defined in one) at any depth; not ours, nor installed packages."""
    job = modules[0]
    seen = {job.__name__}
    todo = [job, *(m for m in modules[1:] if _file_in(m, folder))]
    seen.update(module.__name__ for module in todo)
    found: dict[str, Path] = {}
    while todo:
        module = todo.pop()
        if module is not job:
            found[module.__name__] = Path(module.__file__ or "").resolve()
        for value in list(vars(module).values()):
            name = value.__name__ if isinstance(value, ModuleType) else _module_name(value)
            helper = sys.modules.get(name) if isinstance(name, str) else None
            if helper is not None and name not in seen and _file_in(helper, folder):
                seen.add(helper.__name__)
                todo.append(helper)
    return dict(sorted(found.items()))


def _module_name(value: object) -> object:
    try:
        return value.__module__  # type: ignore[attr-defined]
    except Exception:  # an object whose attribute lookup raises names no module
        return None


def _file_in(module: ModuleType, folder: Path) -> bool:
    """Whether a module is a user's source file under `folder` (not one of ours, not an
    installed package)."""
    where = getattr(module, "__file__", None)
    if module.__name__.partition(".")[0] in _OURS or not isinstance(where, str):
        return False
    file = Path(where).resolve()
    installed = {"site-packages", "dist-packages"} & set(file.parts)
    return where.endswith(".py") and file.is_relative_to(folder) and not installed


def _digest(source: bytes, helpers: dict[str, Path]) -> str:
    """The job's digest: its source, then each helper's name and source."""
    digest = hashlib.sha256(source)
    for name, file in helpers.items():
        try:
            text = file.read_bytes()
        except OSError:
            text = b""  # a helper gone since: a change like any other
        digest.update(b"\0%s\0%d\0" % (name.encode(), len(text)))
        digest.update(text)
    return digest.hexdigest()[:16]


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
    """Rebuild the job a JobRef names (in a worker); refuse code changed since planning."""
    cls, digest = load_job_class(ref.path)
    if digest != ref.digest:
        raise JobFileError(f"{changed_code(ref.path)} changed while the job was running")
    return cls(dict(ref.params))


def changed_code(path: str | Path) -> str:
    """What a changed digest of this job means, for a message: the file, or a module it
    imports from its folder."""
    loaded = [item for (where, _), item in _LOADED.items() if where == str(path)]
    helpers = sorted({str(file) for item in loaded for file in item.helpers.values()})
    if not helpers:
        return f"job file {path}"
    return f"job file {path} or a module it imports ({', '.join(helpers)})"
