"""Vectorised timestamp columns give parse_instant's instants, value for value, or None
exactly when parse_instant refuses a value or an instant's seconds pass int64 (the block
then takes the row path; hypothesis crosses the layout's edges)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.formats.isotime import column_instants, text_instants
from mapreduce.timestamps import parse_instant

_NS = 10**9


def expected(values, unit="s"):
    try:
        instants = [parse_instant(v, unit) for v in values]
    except ValueError:
        return None
    if any(not -(2**63) <= instant // _NS < 2**63 for instant in instants):
        return None  # an epoch number such as 1E100: seconds past int64 go by row
    return instants


def got(result):
    if result is None:
        return None
    seconds, nanos = result
    return [int(s) * _NS + int(n) for s, n in zip(seconds, nanos, strict=True)]


def _two(low, high):
    return st.integers(low, high).map(lambda n: f"{n:02d}")


# Mostly the vectorised layout, with every field pushed past its range now and then.
STAMP = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, zone: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}",
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    _two(0, 13),
    _two(0, 32),
    st.sampled_from(["T", " ", "x", "t"]),
    _two(0, 24),
    _two(0, 60),
    _two(0, 60),
    st.one_of(st.just(""), st.text("0123456789", min_size=0, max_size=12).map(lambda t: "." + t)),
    st.one_of(
        st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+24:00", "+05:30", "+0530"]),
        st.builds(lambda sg, h, m: f"{sg}{h}:{m}", st.sampled_from("+-"), _two(0, 25), _two(0, 61)),
    ),
)
OTHER = st.one_of(
    st.text(max_size=25),
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["2024-01-01", "1700000000.5", "", " 2024-01-01T00:00:00Z"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(STAMP, OTHER), max_size=6), st.sampled_from(["s", "ms", "us"]))
def test_text_columns_match_parse_instant(values, unit):
    assert got(text_instants(pa.array(values, pa.string()), unit)) == expected(values, unit)


@settings(max_examples=200, deadline=None)
@given(STAMP)
def test_one_stamp_at_a_time(value):
    assert got(column_instants([value], "s")) == expected([value])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(-(2**62), 2**62),
            st.floats(-1e15, 1e15, allow_nan=False),
            STAMP,
        ),
        max_size=5,
    ),
    st.sampled_from(["s", "ms"]),
)
def test_json_values_of_mixed_types(values, unit):
    assert got(column_instants(values, unit)) == expected(values, unit)


def test_epoch_seconds_past_int64_decline_the_block():
    """Found by hypothesis: '1E100' seconds is an instant parse_instant takes, but not
    one two int64 columns hold; the column declines (None) and the row path decides."""
    assert text_instants(pa.array(["1E100"], pa.string()), "s") is None
    assert parse_instant("1E100", "s") == 10**109


def test_instants_beyond_int64_nanoseconds_stay_exact():
    values = ["0001-01-01T00:00:00.000000001Z", "9999-12-31T23:59:59.999999999+14:00"]
    assert got(column_instants(values, "s")) == expected(values)


def test_values_the_row_path_reads_differently_give_none():
    assert column_instants([2**70], "s") is None  # orjson would read this literal as a float
    assert column_instants([None], "s") is None
    assert column_instants(["2023-02-29T00:00:00Z"], "s") is None


ZULU = st.builds(
    lambda y, mo, d, h, mi, s: f"{y}-{mo}-{d}T{h}:{mi}:{s}Z",
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    _two(0, 13),
    _two(0, 32),
    _two(0, 24),
    _two(0, 60),
    _two(0, 60),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ZULU, min_size=1, max_size=8))
def test_columns_of_one_width_take_the_view_and_match(values):
    assert got(column_instants(values, "s")) == expected(values)
