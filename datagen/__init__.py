"""datagen: Mockaroo-compatible mock data, generated locally, reproducibly and fast.

>>> from datagen import generate
>>> stats = generate("users.jsonl", preset="users", rows=1000, seed=7)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from datagen.errors import DatagenError, OutputError, SchemaError, UsageError

if TYPE_CHECKING:
    from datagen.api import Stats, generate

__all__ = ["DatagenError", "OutputError", "SchemaError", "Stats", "UsageError", "generate"]


def __getattr__(name: str) -> Any:
    # generate and Stats (numpy, pyarrow, Faker) load on first use, so `python -m datagen`
    # can configure the process first (datagen.cli)
    if name not in ("Stats", "generate"):
        raise AttributeError(f"module 'datagen' has no attribute {name!r}")
    value = getattr(importlib.import_module("datagen.api"), name)
    globals()[name] = value
    return value
