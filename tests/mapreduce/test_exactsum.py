"""Exact sums do not depend on the order or grouping of their terms."""

import doctest
import math

from hypothesis import given
from hypothesis import strategies as st

import mapreduce.exactsum
from mapreduce.exactsum import add, merge, total

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


def test_doctests():
    assert doctest.testmod(mapreduce.exactsum).failed == 0


@given(st.lists(finite, max_size=50), st.integers(min_value=0, max_value=50))
def test_any_grouping_gives_the_correctly_rounded_sum(values, cut):
    left, right = (), ()
    for x in values[:cut]:
        left = add(left, x)
    for x in values[cut:]:
        right = add(right, x)
    assert total(merge(left, right)) == math.fsum(values) == total(merge(right, left))
