"""Field types by category; importing this package registers every type."""

from __future__ import annotations

from datagen.types import basic, commerce, dates, internet, location, patterns, personal, text
from datagen.types.registry import Batch, Context, FieldType, Sampler, all_types, lookup

__all__ = ["Batch", "Context", "FieldType", "Sampler", "all_types", "lookup"]

_CATEGORIES = (basic, commerce, dates, internet, location, patterns, personal, text)
