"""The catalogue of field types: Mockaroo's names, their options, and the sampler builders.

Each category module registers its types with `@field_type(...)`; `lookup` resolves a
schema's type name (case and spacing forgiven) or raises SchemaError naming the closest ones.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from datagen.errors import SchemaError

__all__ = [
    "Batch",
    "Builder",
    "Context",
    "FieldType",
    "Sampler",
    "all_types",
    "field_type",
    "lookup",
    "refuse",
    "refused_types",
]


@dataclass(frozen=True, slots=True)
class Batch:
    """The rows a sampler fills: `size` rows from file position `start`, and their random stream."""

    start: int
    size: int
    rng: np.random.Generator

    def positions(self) -> np.ndarray:
        """Zero-based positions of the rows in the file."""
        return np.arange(self.start, self.start + self.size, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Context:
    """What builders need besides a field's options: the Faker locale and the run's seed."""

    locale: str
    seed: int


Sampler = Callable[[Batch], pa.Array]
Builder = Callable[..., Sampler]


@dataclass(frozen=True, slots=True)
class FieldType:
    """A registered type: Mockaroo's name, its category, its options (`name=default`), builder."""

    name: str
    category: str
    summary: str
    options: tuple[str, ...]
    build: Builder
    aliases: tuple[str, ...] = ()


_REGISTRY: dict[str, FieldType] = {}

# Mockaroo types that datagen refuses, with the reason `python -m datagen types` shows.
# A type registered under one of these names (by the module that implements it) is no longer
# refused: `refused_types()` and `lookup` only consult this table for unregistered names.
_REFUSED: dict[str, tuple[str, str]] = {}


def refuse(name: str, reason: str) -> None:
    """Record Mockaroo type `name` as refused, for `reason` ("it needs ...")."""
    _REFUSED[_norm(name)] = (name, reason)


def refused_types() -> dict[str, str]:
    """Mockaroo types datagen refuses (name -> reason), sorted by name; unregistered only."""
    return {
        name: reason for key, (name, reason) in sorted(_REFUSED.items()) if key not in _REGISTRY
    }


def _norm(name: str) -> str:
    return " ".join(name.lower().split())


def field_type(
    name: str,
    category: str,
    summary: str,
    options: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> Callable[[Builder], Builder]:
    """Register the decorated builder as type `name` (and its aliases)."""

    def register(build: Builder) -> Builder:
        entry = FieldType(name, category, summary, options, build, aliases)
        for key in (name, *aliases):
            if _norm(key) in _REGISTRY:
                raise RuntimeError(f"type {key!r} is registered twice")
            _REGISTRY[_norm(key)] = entry
        return build

    return register


for _name, _reason in (
    ("Formula", "it evaluates Ruby expressions"),
    ("Template", "it evaluates Ruby expressions"),
    ("SQL Expression", "it evaluates SQL"),
    ("Dataset Column", "it reads a dataset uploaded to Mockaroo"),
    ("JSON Array", "nested arrays are not supported yet"),
    ("Repeating Element", "nested arrays are not supported yet"),
    ("Scenario", "it depends on Mockaroo's hosted scenarios"),
):
    refuse(_name, _reason)


def all_types() -> list[FieldType]:
    """Every registered type once, sorted by category then name."""
    unique = {t.name: t for t in _REGISTRY.values()}
    return sorted(unique.values(), key=lambda t: (t.category, t.name))


def lookup(name: object, where: str) -> FieldType:
    """The type called `name`; for an unknown name, SchemaError lists the closest ones."""
    if not isinstance(name, str) or not name.strip():
        raise SchemaError(f"{where}: 'type' must be a non-empty string, got {name!r}")
    found = _REGISTRY.get(_norm(name))
    if found is not None:
        return found
    if _norm(name) in _REFUSED:
        raise SchemaError(
            f"{where}: Mockaroo type {name!r} is not supported by datagen "
            f"({_REFUSED[_norm(name)][1]}); replace it with another type"
        )
    names = sorted(
        {t.name for t in _REGISTRY.values()} | {a for t in _REGISTRY.values() for a in t.aliases}
    )
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.5)
    hint = ", ".join(repr(by_lower[c]) for c in close) if close else "none close"
    raise SchemaError(
        f"{where}: unknown type {name!r}; closest known types: {hint} "
        "(run `python -m datagen types` for the full list)"
    )
