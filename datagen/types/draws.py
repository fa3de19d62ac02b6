"""Faster weighted draws for the Faker that builds pools, with the same values.

Faker copies a weighted list's weights into a new tuple on every draw and `random.choices`
sums them again each time: of the 40 µs a city costs, most is summing ~1,000 last-name
weights. For datagen's own Faker instances only, each provider's weighted lists keep their
weights as one tuple (`tuple()` of a tuple is that tuple) and the random source keeps their
running sums. `random.choices(population, cum_weights=sums)` makes the same draw from the
same random number as `random.choices(population, weights)`, so every value is unchanged.
"""

from __future__ import annotations

import itertools
import random
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from faker import Faker

__all__ = ["fast_draws"]

_SUMMED = 32  # shorter weight lists are summed per draw as before
_KEPT = 256  # running sums kept per random source (past that, they are dropped)


class _Weighted(OrderedDict):  # type: ignore[type-arg]
    """A weighted list whose values() is one tuple, made once (the list is never changed)."""

    _weights: tuple[Any, ...] | None = None

    def values(self) -> tuple[Any, ...]:  # type: ignore[override]
        if self._weights is None:
            self._weights = tuple(super().values())
        return self._weights

    def __setitem__(self, key: Any, value: Any) -> None:
        self._weights = None
        super().__setitem__(key, value)


class _SummingRandom(random.Random):
    """A Random whose weighted choices reuse the running sums of a weights tuple seen before."""

    def __init__(self) -> None:
        super().__init__()
        self._sums: dict[int, tuple[Sequence[float], list[float]]] = {}

    def choices(  # type: ignore[override]
        self,
        population: Sequence[Any],
        weights: Sequence[float] | None = None,
        *,
        cum_weights: Sequence[float] | None = None,
        k: int = 1,
    ) -> list[Any]:
        if weights is None or cum_weights is not None or len(weights) < _SUMMED:
            return super().choices(population, weights, cum_weights=cum_weights, k=k)
        kept = self._sums.get(id(weights))
        if kept is None or kept[0] is not weights:  # an entry holds its tuple: ids stay apart
            if len(self._sums) >= _KEPT:
                self._sums.clear()
            kept = (weights, list(itertools.accumulate(weights)))
            self._sums[id(weights)] = kept
        return super().choices(population, cum_weights=kept[1], k=k)


def _weighted(value: object) -> bool:
    return (
        isinstance(value, OrderedDict)
        and len(value) >= _SUMMED
        and all(isinstance(w, int | float) and not isinstance(w, bool) for w in value.values())
    )


def _keep_weights(provider: object) -> None:
    """Shadow each weighted list of a provider's classes with a _Weighted copy of it."""
    for cls in type(provider).__mro__:
        for name, value in vars(cls).items():
            if name.startswith("__") or name in vars(provider) or not _weighted(value):
                continue
            setattr(provider, name, _Weighted(value))


def fast_draws(fake: Faker) -> Faker:
    """Give `fake` (a Faker of datagen's own, seeded before each use) the faster draws."""
    for generator in fake.factories:
        generator.random = _SummingRandom()
        for provider in generator.providers:
            _keep_weights(provider)
    return fake
