"""Instants for the instant column: the engine's exact int nanoseconds since the epoch.

`mapreduce.timestamps.parse_instant` defines what a timestamp means (ISO-8601 with any
offset, naive = UTC, epoch numbers in s/ms/us read exactly) and returns an `int` of
nanoseconds, so a load compares instants by the same rule as the reduce.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from mapreduce.timestamps import parse_instant

__all__ = ["INSTANT_COLUMNS", "NS_PER_S", "instant_function"]

NS_PER_S = 1_000_000_000
# SQLite keeps an instant in two INTEGER columns: floor seconds, then nanoseconds (0-999999999)
INSTANT_COLUMNS = ("_mr_instant_s", "_mr_instant_ns")


def instant_function(unit: str) -> Callable[[object], int]:
    """`parse_instant` with its unit bound, for `map` over a column.

    >>> instant_function("ms")(1500)
    1500000000
    """
    return partial(parse_instant, unit=unit)
