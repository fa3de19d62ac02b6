"""Short string keys sorted as integers give the order of keys.py, runs included."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from mapreduce.keys import sort_key
from mapreduce.worker.keyorder import SHORT, short_string_groups

short = st.text(st.characters(codec="utf-8"), max_size=6).filter(lambda s: len(s.encode()) <= SHORT)


def check(values: list[str], order: np.ndarray, starts: np.ndarray) -> None:
    """`order` sorts the values as keys.py does, and `starts` are where its runs begin."""
    assert sorted(order.tolist()) == list(range(len(values)))
    ordered = [values[i] for i in order]
    assert ordered == sorted(values, key=sort_key)
    runs = [i for i in range(len(ordered)) if i == 0 or ordered[i] != ordered[i - 1]]
    assert starts.tolist() == runs


@given(st.lists(short, min_size=1, max_size=60))
def test_the_order_and_runs_of_keys_py(values):
    for array in (pa.array(values, pa.string()), pa.array(values, pa.large_string())):
        found = short_string_groups(array)
        assert found is not None
        check(values, *found)


def test_zero_bytes_prefixes_and_both_widths():
    values = [
        "a",
        "a\x00",
        "",
        "a\x00b",
        "ab",
        "\x00",
        "abcdefghijklmno",
        "abcdefg",
        "abcdefgh",
        "ab",
        "\u00e9",
        "z",
    ]
    check(values, *short_string_groups(pa.array(values)))
    sliced = pa.array(["x", *values])[1:]  # an array with an offset
    check(values, *short_string_groups(sliced))


def test_long_keys_and_nulls_are_left_to_arrow():
    assert short_string_groups(pa.array(["a" * (SHORT + 1)])) is None
    assert short_string_groups(pa.array(["a", None])) is None


def test_agrees_with_arrow_on_a_million_ids():
    rng = np.random.default_rng(3)
    values = pa.array(rng.integers(0, 300_000, 1_000_000).astype(str).tolist())
    order, starts = short_string_groups(values)
    arrow = values.take(pc.sort_indices(values))
    assert values.take(pa.array(order)).equals(arrow)
    assert len(starts) == len(pc.unique(values))
