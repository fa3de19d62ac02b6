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

# Mockaroo types that exist there but that datagen deliberately does not implement.
UNSUPPORTED = {
    "formula": "it evaluates Ruby expressions",
    "template": "it evaluates Ruby expressions",
    "sql expression": "it evaluates SQL",
    "dataset column": "it reads a dataset uploaded to Mockaroo",
    "json array": "nested arrays are not supported yet",
    "repeating element": "nested arrays are not supported yet",
    "scenario": "it depends on Mockaroo's hosted scenarios",
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
    if _norm(name) in UNSUPPORTED:
        raise SchemaError(
            f"{where}: Mockaroo type {name!r} is not supported by datagen "
            f"({UNSUPPORTED[_norm(name)]}); replace it with another type"
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
