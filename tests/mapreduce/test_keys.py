"""Canonical keys, stable partitions and the total order across key types."""

import itertools
import random
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapreduce.keys import BoolKey, canonical_key, partition_of, plain_key, sort_key

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.binary()
)
keys = st.one_of(scalars, st.lists(scalars, max_size=3))


def test_bools_stay_distinct_from_numbers():
    assert canonical_key(True) != canonical_key(1)
    assert canonical_key(False) != canonical_key(0)
    assert len({canonical_key(True), canonical_key(1), canonical_key(1.0)}) == 2


def test_integral_floats_are_the_same_key_and_partition_as_ints():
    assert canonical_key(1.0) == canonical_key(1)
    assert partition_of(canonical_key(1.0), 7) == partition_of(canonical_key(1), 7)


def test_lists_become_tuples_and_come_back_plain():
    key = canonical_key(["a", True, [1, None]])
    assert key == ("a", BoolKey(True), (1, None))
    assert plain_key(key) == ("a", True, (1, None))


@pytest.mark.parametrize("bad", [{"a": 1}, float("nan")])
def test_unusable_keys_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        canonical_key(bad)


def test_total_order_null_bool_number_string_other():
    mixed = [canonical_key(k) for k in ["b", 2, None, True, "a", 1.5, b"x", ("t",), False]]
    random.Random(0).shuffle(mixed)
    ordered = [plain_key(k) for k in sorted(mixed, key=sort_key)]
    assert ordered == [None, False, True, 1.5, 2, "a", "b", b"x", ("t",)]


@given(st.lists(keys, max_size=30))
def test_sort_never_crashes_and_is_consistent_with_equality(values):
    canon = [canonical_key(v) for v in values]
    ordered = sorted(canon, key=sort_key)
    for a, b in itertools.pairwise(ordered):
        assert sort_key(a) <= sort_key(b)
        if a == b:
            assert sort_key(a) == sort_key(b)


@given(keys, st.integers(min_value=1, max_value=64))
def test_partition_is_in_range(value, partitions):
    assert 0 <= partition_of(canonical_key(value), partitions) < partitions


def test_partitions_do_not_depend_on_the_hash_seed():
    code = (
        "from mapreduce.keys import canonical_key, partition_of;"
        "keys = ['a', 'é', 7, 2.5, None, True, ('x', 1)];"
        "print([partition_of(canonical_key(k), 13) for k in keys])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


BIG = [2**64 + 1, 2**64 + 2, -(2**70), 10**40]


def test_ints_beyond_64_bits_are_distinct_keys_with_stable_partitions():
    # Issue 8, defect 2: 18446744073709551617 and ...618 were one key once read as floats.
    keys = [canonical_key(k) for k in BIG]
    assert keys == BIG and len(set(keys)) == len(BIG)
    assert all(type(k) is int for k in keys)
    assert [partition_of(k, 1 << 30) for k in keys] == [partition_of(k, 1 << 30) for k in BIG]
    assert len({partition_of(k, 1 << 30) for k in keys}) == len(BIG)  # distinct encodings


def test_big_ints_sort_by_value_among_other_numbers():
    mixed = [2**64 + 2, 1.5, 2**64 + 1, -(2**70), 1e30, 10**40, 0]
    ordered = sorted((canonical_key(k) for k in mixed), key=sort_key)
    assert ordered == [-(2**70), 0, 1.5, 2**64 + 1, 2**64 + 2, 1e30, 10**40]
