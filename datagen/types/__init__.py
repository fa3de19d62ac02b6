"""Field types by category; importing this package registers every type."""

from __future__ import annotations

# Importing each category module registers its types with the registry.
from datagen.types import (  # noqa: F401
    basic,
    business,
    commerce,
    construction,
    crypto,
    dates,
    health,
    internet,
    location,
    nature,
    patterns,
    personal,
    text,
    travel,
)
from datagen.types.registry import (
    Batch,
    Context,
    FieldType,
    Sampler,
    all_types,
    lookup,
    refused_types,
)

__all__ = ["Batch", "Context", "FieldType", "Sampler", "all_types", "lookup", "refused_types"]
