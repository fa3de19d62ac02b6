"""Presets: each one runs, and keeps the shape other parts of the project rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from datagen import UsageError, generate
from datagen.presets import PRESETS
from tests.datagen.support import read_records


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_runs(tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.jsonl"
    assert generate(out, preset=name, rows=300).rows == len(read_records(out)) == 300


def test_users_has_ten_fields_an_integer_id_and_iso_z_times(tmp_path: Path) -> None:
    out = tmp_path / "users.jsonl"
    generate(out, preset="users", rows=200)
    records = read_records(out)
    assert len(records[0]) == 10
    assert [r["id"] for r in records] == list(range(1, 201))
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["updated_at"]) for r in records)


def test_events_nest_user_and_device(tmp_path: Path) -> None:
    out = tmp_path / "events.json"
    generate(out, preset="events", rows=20)
    first = read_records(out)[0]
    assert set(first["user"]) == {"id", "country"} and set(first["device"]) == {"os", "ip"}


def test_orders_group_by_country_and_sum_amounts(tmp_path: Path) -> None:
    out = tmp_path / "orders.csv"
    generate(out, preset="orders", rows=100)
    rows = read_records(out)
    assert all(len(r["country"]) == 2 and float(r["amount"]) >= 1 for r in rows)


def test_words_and_numbers_write_one_value_per_line(tmp_path: Path) -> None:
    generate(tmp_path / "w.txt", preset="words", rows=100)
    generate(tmp_path / "n.txt", preset="numbers", rows=100)
    lines = (tmp_path / "w.txt").read_text().splitlines()
    assert len(lines) == 100 and all(4 <= len(line.split()) <= 16 for line in lines)
    assert all(v.isdigit() for v in (tmp_path / "n.txt").read_text().splitlines())


def test_unknown_preset(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown preset 'people'; choose one of users"):
        generate(tmp_path / "x.jsonl", preset="people", rows=1)
