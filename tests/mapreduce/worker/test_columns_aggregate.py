"""The `aggregate` columns are the row path's arithmetic: exact sums of ints and floats
(limbs carried, whatever the split into combines), min and max per type; and the
job-side `number_column` reads a column as `number` reads each value, or declines."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.sum_numbers import merge_stats, number, number_column, stats
from mapreduce import BadRecord, exactsum
from mapreduce.worker.columns_aggregate import aggregate_rows, combine_aggregate, row_values

FLOATS = st.one_of(  # what the columns take (x + 0.0 is never -0.0)
    st.floats(-(2.0**59), 2.0**59).filter(lambda x: x == 0 or abs(x) >= 2.0**-60),
    st.floats(-1000, 1000).map(lambda x: round(x, 2)),
    st.sampled_from([0.0, 2.0**-60, -(2.0**-60), 2.0**60 - 2.0**7, 0.1, 1.0]),
).map(lambda x: x + 0.0)
INTS = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 3))


def _row_path(keys, numbers):
    """The row path's combine: merge_stats over stats() of every number, in order."""
    table = {}
    for key, value in zip(keys, numbers, strict=True):
        table[key] = merge_stats(table[key], stats(value)) if key in table else stats(value)
    return table


def _exact(value):
    return value[1] + sum(map(Fraction, value[2]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.one_of(INTS, FLOATS)), max_size=60),
    st.integers(1, 4),
)
def test_aggregate_columns_are_the_row_paths_arithmetic(rows, pieces):
    keys = [key for key, _ in rows]
    numbers = [number for _, number in rows]
    tables = []
    for piece in range(pieces):  # combines of parts, then of the parts' results
        part = rows[piece::pieces]
        ints = [(k, v) for k, v in part if type(v) is int]
        floats = [(k, v) for k, v in part if type(v) is float]
        for chunk, dtype in ((ints, np.int64), (floats, np.float64)):
            if chunk:
                values = np.array([v for _, v in chunk], dtype)
                tables.append(aggregate_rows(pa.array([k for k, _ in chunk]), values))
    if not tables:
        return
    combined = combine_aggregate(pa.concat_tables(tables))
    got = dict(zip(combined["key"].to_pylist(), row_values(combined, merge_stats), strict=True))
    expected = _row_path(keys, numbers)
    assert got.keys() == expected.keys()
    for key, value in got.items():
        want = expected[key]
        assert value[0] == want[0] and _exact(value) == _exact(want)
        assert (value[3], type(value[3]), value[4], type(value[4])) == (
            want[3],
            type(want[3]),
            want[4],
            type(want[4]),
        )
        assert bool(value[2]) == bool(want[2])  # a float was added: the sum is a float
        assert exactsum.total(value[2], value[1]) == exactsum.total(want[2], want[1])


def test_mixed_ints_and_floats_in_one_column():
    values = np.array([1.0, 2.5, 3.0, -1.0])
    table = aggregate_rows(pa.array(["a"] * 4), values, np.array([True, False, False, True]))
    [value] = list(row_values(table, merge_stats))
    assert value[:2] == (4, 0) and _exact(value) == Fraction(11, 2)
    assert (value[3], type(value[3]), value[4], type(value[4])) == (-1, int, 3.0, float)


@pytest.mark.parametrize("value", [-0.0, 2.0**-61, 2.0**60, float("inf"), float("nan"), 5e-324])
def test_floats_the_columns_cannot_sum_exactly_are_declined(value):
    assert aggregate_rows(pa.array(["a", "a"]), np.array([1.5, value])) is None


@pytest.mark.parametrize(
    "floats",
    [
        [1.0, 1024.5, -3.25],  # exponents 10 apart: one scale for the block
        [1.0, 2048.5, -3.25],  # 11 apart: each value placed on its own
        [0.0, 0.0],
        [0.0, 2.0**-60, 2.0**60 - 2.0**7, -0.1],
    ],
)
def test_float_sums_are_exact_on_either_side_of_the_one_scale_span(floats):
    keys = pa.array(["a"] * len(floats) + ["b"] * len(floats))
    table = aggregate_rows(keys, np.array(floats * 2))
    for value in row_values(table, merge_stats):
        assert value[0] == len(floats) and _exact(value) == sum(map(Fraction, floats))
        assert (value[3], value[4]) == (min(floats), max(floats))


def test_a_float_marked_int_that_is_not_one_is_a_job_error():
    from mapreduce.errors import JobError

    with pytest.raises(JobError, match="is_int"):
        aggregate_rows(pa.array(["a"]), np.array([1.5]), np.array([True]))


@pytest.mark.parametrize("spread", [1.0, 2.0**-50])  # one block-wide scale, or per value
def test_limbs_carry_so_many_large_numbers_stay_exact(spread):
    big = np.full(1000, 2**63 - 1, np.int64)
    table = aggregate_rows(pa.array([None] * 1000, pa.null()), big)
    table = combine_aggregate(pa.concat_tables([table] * 50))
    [value] = list(row_values(table, merge_stats))
    assert value[:3] == (50_000, 50_000 * (2**63 - 1), ())
    floats = np.array([2.0**60 - 2.0**7, -(2.0**59) * 1.5, spread] * 1000)
    table = aggregate_rows(pa.nulls(3000), floats)
    table = combine_aggregate(pa.concat_tables([table] * 3000))
    [value] = list(row_values(table, merge_stats))
    assert _exact(value) == 3000 * 1000 * sum(map(Fraction, floats[:3]))


def test_merge_stats_keeps_the_int_of_equal_values_in_any_order():
    one, one_float = stats(1), stats(1.0)
    for a, b in ((one, one_float), (one_float, one)):
        merged = merge_stats(a, b)
        assert type(merged[3]) is int and type(merged[4]) is int
    low = merge_stats(stats(0.0), stats(-0.0))
    assert str(low[3]) == "-0.0" and str(low[4]) == "0.0"
    assert merge_stats(stats(-0.0), stats(0.0))[3:] == low[3:]


TEXTS = st.one_of(
    st.integers(-(10**19), 10**19).map(str),
    st.floats(allow_nan=False).map(repr),
    st.floats(-1e9, 1e9).map(lambda x: f"{x:.3f}"),
    st.text("0123456789.-+e _", max_size=8),
    st.sampled_from(["007", "-0", "1.", ".5", "0.1000000000000000055511151231257827", "٣"]),
)


def _number_or_none(value):
    try:
        return number(value)
    except BadRecord:
        return None


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_number_column_reads_text_as_number_does(texts):
    got = number_column(pa.array(texts, pa.large_string()))
    if got is None:
        return  # declined: map() reads this block
    values, is_int = got
    values = values.to_pylist()
    mask = [True] * len(values) if is_int is None and type(values[0]) is int else None
    for i, text in enumerate(texts):
        expected = number(text)
        flagged = mask[i] if mask is not None else (is_int is not None and is_int[i].as_py())
        value = int(values[i]) if flagged else values[i]
        assert (value, type(value)) == (expected, type(expected)), text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=False)), max_size=8))
def test_number_column_reads_decoded_json_as_number_does(values):
    got = number_column(values)
    if got is None:
        return
    numbers, is_int = got
    for i, value in enumerate(values):
        as_int = numbers.dtype == np.int64 or (is_int is not None and is_int[i])
        read = int(numbers[i]) if as_int else float(numbers[i])
        assert (read, type(read)) == (number(value), type(number(value)))
