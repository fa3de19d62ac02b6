"""Exact, order-independent sums of floats, so totals do not depend on how input was split.

Float addition is not associative: summing per split and then across splits rounds
differently for every split size, which would break byte-identical output. A sum is kept
as a tuple of non-overlapping partials (Shewchuk's algorithm, as `math.fsum` uses
internally); adding and merging are exact, and `total()` rounds once at the end.

>>> total(add(add((), 0.1), 0.2)) == total(merge(add((), 0.2), add((), 0.1)))
True
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["add", "merge", "total"]

Partials = tuple[float, ...]


def add(partials: Partials, x: float) -> Partials:
    """Partials for `sum(partials) + x`, exactly."""
    out = []
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            out.append(low)
        x = high
    out.append(x)
    return tuple(out)


def merge(a: Partials, b: Partials) -> Partials:
    """Partials for the exact sum of two sums."""
    for x in b:
        a = add(a, x)
    return a


def total(partials: Partials, integer: int = 0) -> float:
    """The correctly rounded value of the exact sum, plus an exact `integer` (of any size:
    adding it as a float first would round twice)."""
    if not integer or not all(map(math.isfinite, partials)):
        return math.fsum(partials)
    return float(sum(map(Fraction, partials), Fraction(integer)))
