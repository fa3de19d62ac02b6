"""Mockaroo schema files: accepted shapes, nested names, and one clear error per mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen import SchemaError, generate
from datagen.layout import ARRAY_TYPES
from datagen.schema import load_schema, parse_schema
from datagen.types import all_types
from tests.datagen.support import read_records

MOCKAROO_SCHEMA = [
    {"name": "id", "type": "Row Number"},
    {"name": "amount", "type": "Number", "min": 1, "max": 1000, "decimals": 2},
    {
        "name": "kind",
        "type": "Custom List",
        "values": ["credit", "debit"],
        "selectionStyle": "random",
    },
    {"name": "price", "type": "Money", "min": "5", "max": "50", "symbol": "£", "percentBlank": 10},
    {"name": "seq", "type": "Sequence", "start": 100, "step": 10, "repeat": 2},
    {"name": "phone", "type": "Phone", "format": "(###) ###-####"},
    {"name": "day", "type": "Date", "min": "01/01/2023", "max": "12/31/2023", "format": "%FT%T%:z"},
    {"name": "at", "type": "Time", "min": "09:00 AM", "max": "05:00 PM", "format": "12 Hour"},
    {"name": "address.city", "type": "City"},
    {"name": "address.geo.lat", "type": "Latitude"},
    {"name": "address.geo.lon", "type": "Longitude"},
    {"name": "note", "type": "Blank", "formula": ""},
]


def test_mockaroo_schema_runs_unchanged_with_nested_names(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(MOCKAROO_SCHEMA))
    out = tmp_path / "out.jsonl"
    generate(out, schema=schema, rows=300, seed=3)
    records = read_records(out)
    first = records[0]
    assert list(first) == [
        "id",
        "amount",
        "kind",
        "price",
        "seq",
        "phone",
        "day",
        "at",
        "address",
        "note",
    ]
    assert set(first["address"]) == {"city", "geo"} and set(first["address"]["geo"]) == {
        "lat",
        "lon",
    }
    assert [r["seq"] for r in records[:4]] == [100, 100, 110, 110]
    assert all(r["kind"] in ("credit", "debit") for r in records)
    assert all(r["price"] is None or r["price"].startswith("£") for r in records)
    assert all(r["note"] is None for r in records)


def test_api_body_and_export_shapes(tmp_path: Path) -> None:
    body = {"fields": [{"name": "a", "type": "Boolean"}]}
    export = {"columns": [{"name": "a", "type": "Boolean", "null_percentage": 50}]}
    assert parse_schema(body).fields[0].type == "Boolean"
    assert parse_schema(export).fields[0].percent_blank == 50


# the options a type needs to make values at all
# types that need more than options (a dataset), tested on their own
NEEDS_SETUP: dict[str, bool] = {"Dataset Column": True}
NEEDS = {
    "Custom List": {"values": ["a"]},
    "Formula": {"value": "1"},
    "Template": {"value": "x"},
    "SQL Expression": {"value": "NOW()"},
}


def test_percent_blank_within_tolerance_for_every_type(tmp_path: Path) -> None:
    fields = [
        {"name": f"f{i}", "type": t.name, "percentBlank": 30, **NEEDS.get(t.name, {})}
        for i, t in enumerate(all_types())
        if t.name not in ("Blank", *ARRAY_TYPES) and not NEEDS_SETUP.get(t.name)
    ]
    out = tmp_path / "blanks.jsonl"
    generate(out, schema=fields, rows=3000, seed=5)
    records = read_records(out)
    for field in fields:
        share = sum(r[field["name"]] is None for r in records) / len(records)
        assert share == pytest.approx(0.30, abs=0.04), field["type"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "non-empty JSON list"),
        ('[{"type": "City"}]', r"fields\[0\]: 'name' must be a non-empty string"),
        (
            '[{"name": "a", "type": "Cityy"}]',
            r"fields\[0\] 'a': unknown type 'Cityy'; closest known types: 'City'",
        ),
        (
            '[{"name": "a", "type": "City", "percentBlank": 120}]',
            r"fields\[0\] 'a': option 'percentBlank' must be a number from 0 to 100, got 120",
        ),
        (
            '[{"name": "a", "type": "Number"}, '
            '{"name": "b", "type": "Number", "min": 9, "max": 1}]',
            r"fields\[1\] 'b': option 'min' \(9\) must not be greater than 'max' \(1\)",
        ),
        (
            '[{"name": "r", "type": "Regular Expression", "value": "[a-"}]',
            r"fields\[0\] 'r': option 'value'",
        ),
        ('[{"name": "a", "type": "City"}, {"name": "a", "type": "City"}]', "already used"),
        ('[{"name": "a", "type": "City"}, {"name": "a.b", "type": "City"}]', "nests under"),
        (
            '[{"name": "a", "type": "City", "formula": "this - 1"}]',
            r"fields\[0\] 'a': formula 'this - 1' at position 6: cannot use '-' between "
            "text and a whole number",
        ),
        (
            '[{"name": "a", "type": "City", "formula": 7}]',
            r"fields\[0\] 'a': option 'formula' must be a string, got 7",
        ),
    ],
)
def test_schema_errors_are_one_sentence(tmp_path: Path, content: str, message: str) -> None:
    schema = tmp_path / "bad.json"
    schema.write_text(content)
    out = tmp_path / "out.jsonl"
    with pytest.raises(SchemaError, match=message) as caught:
        generate(out, schema=schema, rows=5)
    assert "\n" not in str(caught.value)
    assert not out.exists()


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        load_schema(tmp_path / "nope.json")
