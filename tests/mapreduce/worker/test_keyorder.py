"""Short string keys sorted as integers give the order of keys.py, runs included."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from mapreduce.keys import sort_key
from mapreduce.worker.keyorder import SHORT, key_groups, short_string_groups

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


@given(
    st.one_of(
        st.lists(st.text(st.characters(codec="utf-8"), max_size=30), max_size=60),
        st.lists(st.integers(-(2**63), 2**63 - 1) | st.integers(-3, 3), max_size=60),
    ),
    st.integers(1, 3),
)
def test_key_groups_are_the_sorted_distinct_keys_and_each_rows_group(values, pieces):
    chunks = [values[i::pieces] for i in range(pieces)]
    kind = pa.int64() if values and type(values[0]) is int else pa.string()
    column = pa.chunked_array([pa.array(c, kind) for c in chunks], kind)
    found = key_groups(column)
    assert found is not None
    keys, groups = found
    assert keys.to_pylist() == sorted(set(values), key=sort_key)
    flat = [v for c in chunks for v in c]
    assert [keys[int(g)].as_py() for g in groups] == flat


def test_key_groups_take_a_null_column_as_one_key_and_decline_nulls_among_keys():
    keys, groups = key_groups(pa.nulls(3))
    assert keys.to_pylist() == [None] and groups.tolist() == [0, 0, 0]
    assert key_groups(pa.array(["a", None])) is None
