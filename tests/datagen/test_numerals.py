"""datagen.numerals: digit pieces write exactly Arrow's text of the numbers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.numerals import number_parts
from datagen.pieces import assemble


def check(values: np.ndarray) -> bool:
    """Whether the fast path took the values; if so its text must be Arrow's."""
    arr = pa.array(values)
    parts = number_parts(arr)
    if parts is None:
        return False
    assert assemble(parts, len(arr)).to_pylist() == arr.cast(pa.string()).to_pylist()
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=50))
def test_any_ints(values: list[int]) -> None:
    check(np.array(values, np.int64))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(-2e9, 2e9) | st.sampled_from([np.nan, np.inf, -0.0]), min_size=1, max_size=40
    ),
    st.integers(0, 6),
)
def test_any_floats_rounded_to_some_decimals(values: list[float], decimals: int) -> None:
    check(np.round(np.array(values), decimals))


@pytest.mark.parametrize(
    "values",
    [
        np.arange(1, 50_001),  # the first chunk's row numbers
        np.arange(999_950_001, 1_000_000_001),  # ten-thousands of a chunk made per chunk
        np.arange(40_950_001, 41_000_001),  # across the shared table's end
        np.array([0, -1, 9_999, 10_000, 16_383, 16_384, 99_999, -40_959_999]),
    ],
)
def test_row_numbers_and_edges_take_the_fast_path(values: np.ndarray) -> None:
    assert check(values.astype(np.int64))


@pytest.mark.parametrize(
    "values",
    [
        np.round(np.random.default_rng(1).uniform(0, 10_000, 50_000), 2),  # users' balance
        np.round(np.random.default_rng(2).normal(0, 1, 50_000), 4),
        np.array([0.0, -0.0, 0.5, 0.01, 0.0001, 12.0, -7.25, 12_345.5]),
    ],
)
def test_money_and_decimals_take_the_fast_path(values: np.ndarray) -> None:
    assert check(values)


@pytest.mark.parametrize(
    "values",
    [
        np.array([1e9, 2.5]),  # Arrow switches to exponents at 1e10; kept clear of it
        np.array([0.123456, 1.0]),  # more than 4 decimals
        np.array([np.nan, 1.0]),
        np.array([1.0, np.inf]),
        np.array([0, 5 * 10**7, 10**9]),  # more ten-thousands than one table holds
    ],
)
def test_others_are_left_to_arrow(values: np.ndarray) -> None:
    assert not check(values)


def test_nulls_are_left_to_arrow() -> None:
    assert number_parts(pa.array([1, None, 3])) is None
