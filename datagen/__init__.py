"""datagen: Mockaroo-compatible mock data, generated locally, reproducibly and fast.

>>> from datagen import generate
>>> stats = generate("users.jsonl", preset="users", rows=1000, seed=7)  # doctest: +SKIP
"""

from __future__ import annotations

from datagen.api import Stats, generate
from datagen.errors import DatagenError, OutputError, SchemaError, UsageError

__all__ = ["DatagenError", "OutputError", "SchemaError", "Stats", "UsageError", "generate"]
