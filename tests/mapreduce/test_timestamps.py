"""Timestamps as instants, and the latest-wins merge with its tie rule."""

import doctest

import pytest

import mapreduce.timestamps
from mapreduce.timestamps import latest, parse_instant, version


def test_doctests():
    assert doctest.testmod(mapreduce.timestamps).failed == 0


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01T12:00:00Z",
        "2024-03-01T14:00:00+02:00",
        "2024-03-01T07:30:00-04:30",
        "2024-03-01T12:00:00",
        "2024-03-01 12:00:00+00:00",
        "2024-03-01T12:00:00.000Z",
        1709294400,
        1709294400.0,
        "1709294400",
    ],
)
def test_the_same_instant_in_every_spelling(text):
    assert parse_instant(text) == 1709294400.0


def test_milliseconds_and_microseconds():
    assert parse_instant(1709294400123, "ms") == parse_instant("2024-03-01T12:00:00.123Z")
    assert parse_instant(1709294400123456, "us") == parse_instant("2024-03-01T12:00:00.123456Z")


@pytest.mark.parametrize("bad", ["yesterday", "", None, True, float("nan"), {"t": 1}, "2024-13-01"])
def test_unparseable_timestamps_say_why(bad):
    with pytest.raises(ValueError, match="timestamp"):
        parse_instant(bad)


def test_latest_prefers_later_instant_then_later_position():
    old = version({"v": 1}, "2024-01-01T00:00:00Z", position=5)
    new = version({"v": 2}, "2024-01-01T01:00:00+01:00", position=1)  # same instant as old
    newer = version({"v": 3}, "2024-01-01T00:00:01Z", position=0)
    assert latest(old, new) is old  # tie: position 5 comes later in the input
    assert latest(new, old) is old
    assert latest(latest(old, new), newer) is newer
