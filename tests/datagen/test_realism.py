"""Realism: emails made of the record's names, Date/Datetime formats in time zones."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest

from datagen import SchemaError, generate
from datagen.cli import main
from tests.datagen.support import read_records

HAS_ZONES = "America/New_York" in zoneinfo.available_timezones()


def _logins(first: str, last: str) -> set[str]:
    f, ln = first.lower(), last.lower()
    return {f"{f}.{ln}", f"{f[0]}{ln}", f"{f}{ln}", f"{f}_{ln}"}


def _made_of_names(email: str, first: str, last: str) -> bool:
    local = re.sub(r"\d{1,2}$", "", email.split("@")[0])
    return local in _logins(first, last)


def test_users_emails_are_made_of_their_names(tmp_path: Path) -> None:
    out = tmp_path / "users.jsonl"
    generate(out, preset="users", rows=3000, seed=5)
    records = read_records(out)
    assert all(_made_of_names(r["email"], r["first_name"], r["last_name"]) for r in records)
    assert all(re.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+", r["email"]) for r in records)
    styles = {r["email"].split("@")[0].replace(r["last_name"].lower(), "L") for r in records[:500]}
    assert len(styles) > 50  # several styles and numbers, not one pattern


def test_accents_fold_and_blank_or_foreign_names_keep_the_types_email(tmp_path: Path) -> None:
    schema = [
        {"name": "first", "type": "First Name", "percentBlank": 30},
        {"name": "last", "type": "Custom List", "values": ["Núñez-Gómez"]},
        {"name": "surname", "type": "Last Name"},
        {"name": "email", "type": "Email Address"},
    ]
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=2000, seed=3)
    for r in read_records(out):
        if r["first"] is None:
            assert not _made_of_names(r["email"], "x", r["surname"])  # the type's own email
        else:
            assert _made_of_names(r["email"], r["first"], r["surname"])  # the Last Name field
    generate(tmp_path / "ja.jsonl", preset="users", rows=200, locale="ja_JP")
    assert all(r["email"].isascii() and "@" in r["email"]
               for r in read_records(tmp_path / "ja.jsonl"))  # fmt: skip


def test_names_inside_an_array_element(tmp_path: Path) -> None:
    schema = [{"name": "team[2].first", "type": "First Name"},
              {"name": "team[2].last", "type": "Last Name"},
              {"name": "team[2].mail", "type": "Email Address"}]  # fmt: skip
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=300)
    members = [m for r in read_records(out) for m in r["team"]]
    assert all(_made_of_names(m["mail"], m["first"], m["last"]) for m in members)


@pytest.mark.parametrize("how", ["schema", "api", "cli"])
def test_emails_can_be_independent(tmp_path: Path, how: str) -> None:
    fields = [{"name": "first", "type": "First Name"}, {"name": "last", "type": "Last Name"},
              {"name": "email", "type": "Email Address"}]  # fmt: skip
    out = tmp_path / "o.jsonl"
    if how == "schema":
        generate(out, schema={"fields": fields, "emailsFromNames": False}, rows=500)
    elif how == "api":
        generate(out, schema=fields, rows=500, emails_from_names=False)
    else:
        path = tmp_path / "s.json"
        path.write_text(__import__("json").dumps(fields))
        assert main(["--schema", str(path), "--rows", "500", "-o", str(out), "--quiet",
                     "--independent-emails"]) == 0  # fmt: skip
    records = read_records(out)
    matching = sum(_made_of_names(r["email"], r["first"], r["last"]) for r in records)
    assert matching < 10


def test_emails_from_names_must_be_a_flag(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="'emailsFromNames' must be true or false"):
        generate(tmp_path / "o.jsonl", schema={"fields": [{"name": "a", "type": "City"}],
                                               "emailsFromNames": "no"}, rows=1)  # fmt: skip


ISO_OFFSET = "%Y-%m-%dT%H:%M:%S%:z"


def _zoned(tmp_path: Path, zone: str, fmt: str = ISO_OFFSET) -> list[dict[str, Any]]:
    schema = [{"name": "at", "type": "Datetime", "min": "01/01/2020", "max": "12/31/2024",
               "format": fmt, "timeZone": zone},
              {"name": "utc", "type": "Formula", "value": "at"}]  # fmt: skip
    out = tmp_path / f"{zone.replace('/', '_')}.jsonl"
    generate(out, schema=schema, rows=3000, seed=7)
    return read_records(out)


@pytest.mark.skipif(not HAS_ZONES, reason="this system has no IANA time zone database")
def test_zone_offsets_follow_daylight_saving_time(tmp_path: Path) -> None:
    zone = zoneinfo.ZoneInfo("America/New_York")
    offsets = set()
    for r in _zoned(tmp_path, "America/New_York"):
        shown = dt.datetime.fromisoformat(r["at"])
        instant = dt.datetime.fromisoformat(r["utc"].replace("Z", "+00:00"))
        assert shown == instant  # the same instant, written in the zone
        assert shown.utcoffset() == instant.astimezone(zone).utcoffset()
        offsets.add(shown.utcoffset())
    assert offsets == {dt.timedelta(hours=-5), dt.timedelta(hours=-4)}


@pytest.mark.skipif(not HAS_ZONES, reason="this system has no IANA time zone database")
def test_zone_abbreviations_epoch_and_random_zones(tmp_path: Path) -> None:
    for r in _zoned(tmp_path, "Europe/Paris", "%Z %s"):
        name, epoch = r["at"].split()
        instant = dt.datetime.fromisoformat(r["utc"].replace("Z", "+00:00"))
        assert int(epoch) == int(instant.timestamp())  # %s is the instant, whatever the zone
        assert name == instant.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).tzname()
    seen = {r["at"][-6:] for r in _zoned(tmp_path, "random")}
    assert len(seen) > 10 and "+05:30" in seen
    for r in _zoned(tmp_path, "random"):
        assert dt.datetime.fromisoformat(r["at"]) == dt.datetime.fromisoformat(
            r["utc"].replace("Z", "+00:00")
        )


def test_fixed_offsets_and_dates_in_a_zone(tmp_path: Path) -> None:
    for r in _zoned(tmp_path, "+05:30"):
        assert r["at"].endswith("+05:30")
        shown = dt.datetime.fromisoformat(r["at"])
        assert shown == dt.datetime.fromisoformat(r["utc"].replace("Z", "+00:00"))
    schema = [{"name": "at", "type": "Datetime", "format": "%FT%T%:z", "timeZone": "UTC-8"},
              {"name": "day", "type": "Date", "format": "%F", "timeZone": "UTC-8",
               "formula": "date(at.strftime('%F'))"},
              {"name": "shown", "type": "Formula", "value": "day"}]  # fmt: skip
    out = tmp_path / "d.jsonl"
    generate(out, schema=schema, rows=500)
    for r in read_records(out):
        assert r["day"] == r["shown"] and r["at"].endswith("-08:00")


def test_unknown_zone_is_a_schema_error(tmp_path: Path) -> None:
    schema = [{"name": "at", "type": "Datetime", "timeZone": "Mars/Olympus"}]
    with pytest.raises(SchemaError, match="option 'timeZone' 'Mars/Olympus' names no time zone"):
        generate(tmp_path / "o.jsonl", schema=schema, rows=1)
