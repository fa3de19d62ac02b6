"""Date, Datetime and Time honour Mockaroo's bounds and (Ruby) strftime formats."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from datagen.errors import SchemaError
from tests.datagen.support import sample


def test_date_bounds_in_mockaroo_spelling() -> None:
    values = sample("Date", min="02/01/2024", max="02/29/2024", format="%Y-%m-%d")
    days = {datetime.strptime(v, "%Y-%m-%d").date() for v in values}
    assert min(days).isoformat() == "2024-02-01" and max(days).isoformat() == "2024-02-29"


def test_datetime_ruby_format_with_offset() -> None:
    values = sample("Datetime", min="2024-01-01", max="2024-01-31", format="%FT%T%:z")
    parsed = [datetime.fromisoformat(v) for v in values]
    assert all(v.endswith("+00:00") for v in values)
    assert all(p.year == 2024 and p.month == 1 for p in parsed)


def test_datetime_named_months_and_epoch() -> None:
    (value,) = sample("Datetime", 1, min="03/05/2021", max="03/05/2021", format="%b %-d, %Y|%A")
    assert value == "Mar 5, 2021|Friday"
    (epoch,) = sample(
        "Datetime", 1, min="01/01/1970 12:00 AM", max="01/01/1970 12:00 AM", format="%s"
    )
    assert epoch == "0"


def test_time_twelve_hour_bounds() -> None:
    values = sample("Time", min="09:30 AM", max="05:00 PM", format="24 Hour w/seconds")
    times = [time.fromisoformat(v) for v in values]
    assert min(times) >= time(9, 30) and max(times) <= time(17, 0)


def test_time_accepts_mockaroo_quirk_hour_past_twelve_pm() -> None:
    values = sample("Time", min="05:00 AM", max="23:00 PM", format="%H:%M")
    assert all("05:00" <= v <= "23:00" for v in values)


@pytest.mark.parametrize(
    ("name", "options", "option"),
    [
        ("Date", {"min": "12/31/2024", "max": "01/01/2024"}, "'min'"),
        ("Date", {"min": "2024-13-01"}, "'min'"),
        ("Datetime", {"format": "%Q"}, "'format'"),
        ("Time", {"max": "25:00"}, "'max'"),
        ("Time", {"min": "11:00 PM", "max": "01:00 AM"}, "'min'"),
    ],
)
def test_bad_date_options(name: str, options: dict[str, str], option: str) -> None:
    with pytest.raises(SchemaError, match=option):
        sample(name, 5, **options)
