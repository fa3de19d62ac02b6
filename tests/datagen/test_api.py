"""The public surface: what `datagen` exports, and the Stats that generate() returns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import datagen
from datagen import Stats, generate


def test_public_names() -> None:
    assert sorted(datagen.__all__) == [
        "DatagenError",
        "OutputError",
        "SchemaError",
        "Stats",
        "UsageError",
        "generate",
    ]
    assert issubclass(datagen.SchemaError, datagen.DatagenError)


def test_stats_is_frozen_and_complete(tmp_path: Path) -> None:
    stats = generate(
        str(tmp_path / "u.jsonl"), preset="users", rows=10, versions=2, truth=tmp_path / "t.jsonl"
    )
    assert isinstance(stats, Stats)
    assert (stats.rows, stats.keys, stats.format, stats.path) == (
        10,
        5,
        "ndjson",
        str(tmp_path / "u.jsonl"),
    )
    assert stats.bytes == (tmp_path / "u.jsonl").stat().st_size and stats.seconds > 0
    assert stats.truth == str(tmp_path / "t.jsonl")
    assert dataclasses.is_dataclass(stats) and type(stats).__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_locale_changes_names(tmp_path: Path) -> None:
    out = tmp_path / "de.csv"
    generate(
        out,
        schema=[{"name": "city", "type": "City"}, {"name": "state", "type": "State"}],
        rows=50,
        locale="de_DE",
    )
    assert out.read_text().count("\n") == 51
