"""Timestamps as instants, and the latest-wins merge with its tie rule."""

import doctest

import pytest

import mapreduce.timestamps
from mapreduce.timestamps import latest, parse_instant


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
    assert parse_instant(text) == 1709294400 * 10**9


def test_milliseconds_and_microseconds():
    assert parse_instant(1709294400123, "ms") == parse_instant("2024-03-01T12:00:00.123Z")
    assert parse_instant(1709294400123456, "us") == parse_instant("2024-03-01T12:00:00.123456Z")


@pytest.mark.parametrize("bad", ["yesterday", "", None, True, float("nan"), {"t": 1}, "2024-13-01"])
def test_unparseable_timestamps_say_why(bad):
    with pytest.raises(ValueError, match="timestamp"):
        parse_instant(bad)


def version(record, timestamp, position):
    return (parse_instant(timestamp), position, record)


def test_latest_prefers_later_instant_then_later_position():
    old = version({"v": 1}, "2024-01-01T00:00:00Z", position=5)
    new = version({"v": 2}, "2024-01-01T01:00:00+01:00", position=1)  # same instant as old
    newer = version({"v": 3}, "2024-01-01T00:00:01Z", position=0)
    assert latest(old, new) is old  # tie: position 5 comes later in the input
    assert latest(new, old) is old
    assert latest(latest(old, new), newer) is newer


def test_digits_past_microseconds_decide_the_order():
    # issue 8 defect 3: .1234569 is later than .1234561; dropping digits made them tie.
    early = parse_instant("2024-03-01T12:00:00.1234561Z")
    late = parse_instant("2024-03-01T12:00:00.1234569Z")
    assert late - early == 800
    assert parse_instant("2024-03-01T12:00:00.123456789Z") % 10**9 == 123456789
    assert parse_instant("2024-03-01T12:00:00,5+00:00") % 10**9 == 500_000_000


@pytest.mark.parametrize("year", ["9999-12-31T23:59:59", "0001-01-01T00:00:00"])
def test_instants_at_the_ends_of_the_calendar_stay_exact(year):
    # A float of seconds cannot tell these apart at year 9999 (issue 8 defect 3).
    assert parse_instant(f"{year}.999999Z") - parse_instant(f"{year}.999998Z") == 1000
    assert type(parse_instant(f"{year}Z")) is int


def test_epoch_numbers_are_read_exactly():
    assert parse_instant("1709294400.123456789") == 1709294400123456789
    assert parse_instant(1709294400.5) == 1709294400500000000
    assert parse_instant(2**70) == 2**70 * 10**9
    assert parse_instant("-1.5") == -1_500_000_000


def test_a_date_is_its_midnight_utc_as_its_iso_text_reads():
    from datetime import date

    assert parse_instant(date(2024, 1, 1)) == parse_instant("2024-01-01") == 1704067200 * 10**9
    assert parse_instant(date(1, 1, 1)) == parse_instant("0001-01-01")
    with pytest.raises(ValueError, match="neither an ISO-8601 string, a date nor a number"):
        parse_instant(b"2024-01-01")


def test_datetimes_are_instants():
    from datetime import UTC, datetime, timedelta, timezone

    naive = datetime(2024, 3, 1, 12)
    aware = datetime(2024, 3, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert parse_instant(naive) == parse_instant(aware) == parse_instant(naive.replace(tzinfo=UTC))
