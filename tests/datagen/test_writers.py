"""Every format round-trips through an independent reader (json, csv, pyarrow) unchanged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from datagen import UsageError, generate
from tests.datagen.support import read_records

TRICKY = [
    "plain",
    'say "hi"',
    "a,b",
    "line\nbreak",
    "back\\slash",
    "tab\there",
    "ünïcødé ✓",
    "",
    "\x01ctl",
]
SCHEMA: list[dict[str, Any]] = [
    {"name": "id", "type": "Row Number"},
    {"name": "text", "type": "Custom List", "values": TRICKY},
    {
        "name": "amount",
        "type": "Number",
        "min": -1000,
        "max": 1000,
        "decimals": 3,
        "percentBlank": 20,
    },
    {"name": "flag", "type": "Boolean", "percentBlank": 20},
    {"name": "who.name", "type": "Full Name"},
    {"name": "who.city", "type": "City", "percentBlank": 20},
    {"name": "at", "type": "Datetime"},
]


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    generate(out, schema=SCHEMA, rows=1500, seed=11)
    return read_records(out)


def test_reference_holds_every_tricky_value(reference: list[dict[str, Any]]) -> None:
    assert {r["text"] for r in reference} == set(TRICKY)


@pytest.mark.parametrize(
    "name", ["out.json", "out.json.gz", "out.jsonl.gz", "out.ndjson", "out.parquet"]
)
def test_json_and_parquet_round_trip(
    tmp_path: Path, reference: list[dict[str, Any]], name: str
) -> None:
    generate(tmp_path / name, schema=SCHEMA, rows=1500, seed=11)
    assert read_records(tmp_path / name) == reference


def test_pretty_json_array(tmp_path: Path, reference: list[dict[str, Any]]) -> None:
    out = tmp_path / "pretty.json"
    generate(out, schema=SCHEMA, rows=1500, seed=11, pretty=True)
    text = out.read_text()
    assert text.startswith('[\n  {\n    "id": 1,')
    assert json.loads(text) == reference


def test_compact_json_array_is_one_record_per_line(tmp_path: Path) -> None:
    out = tmp_path / "compact.json"
    generate(out, schema=SCHEMA[:1], rows=3)
    assert out.read_text() == '[{"id":1},\n{"id":2},\n{"id":3}]\n'


@pytest.mark.parametrize(("ending", "bom"), [("unix", False), ("windows", True)])
def test_csv_round_trip(
    tmp_path: Path, reference: list[dict[str, Any]], ending: str, bom: bool
) -> None:
    out = tmp_path / "out.csv"
    generate(out, schema=SCHEMA, rows=1500, seed=11, line_ending=ending, bom=bom)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,text,") == bom
    assert raw.count(b"\r\n") >= 1500 if ending == "windows" else b"\r\n" not in raw
    rows = read_records(out)
    expected = [{k: _csv_text(v) for k, v in _flat(r).items()} for r in reference]
    assert rows == expected


def test_parquet_nests_dotted_names_as_structs(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    generate(out, schema=SCHEMA, rows=10)
    schema = pq.read_schema(out)
    assert schema.field("who").type.num_fields == 2
    assert str(schema.field("amount").type) == "double"


def test_text_format_one_value_per_line(tmp_path: Path) -> None:
    out = tmp_path / "numbers.txt.gz"
    generate(out, preset="numbers", rows=2500, seed=2)
    values = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert len(values) == 2500 and all(0 <= int(v) <= 1_000_000 for v in values)


def test_gzip_members_decompress_with_the_standard_library(
    tmp_path: Path, small_chunks: int
) -> None:
    out = tmp_path / "words.txt.gz"
    generate(out, preset="words", rows=3500)
    assert out.read_bytes().count(b"\x1f\x8b\x08") >= 4  # one member per chunk
    assert len(gzip.decompress(out.read_bytes()).decode().splitlines()) == 3500


@pytest.mark.parametrize(
    "name", ["empty.jsonl", "empty.json", "empty.csv", "empty.parquet", "empty.json.gz"]
)
def test_zero_rows_is_a_valid_empty_file(tmp_path: Path, name: str) -> None:
    generate(tmp_path / name, schema=SCHEMA, rows=0)
    assert read_records(tmp_path / name) == []


def test_format_flag_overrides_extension(tmp_path: Path) -> None:
    out = tmp_path / "data.dat"
    generate(out, preset="users", rows=5, fmt="csv")
    assert out.read_text().startswith("id,first_name,")


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("data.dat", {}, "cannot tell the format"),
        ("data.parquet.gz", {}, "drop the .gz"),
        ("data.jsonl", {"bom": True}, "--bom only applies"),
        ("data.txt", {}, "one value per line"),
        ("data.jsonl", {"fmt": "yaml"}, "unknown format"),
    ],
)
def test_format_errors(tmp_path: Path, name: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        generate(tmp_path / name, preset="users", rows=5, **options)


def test_single_column_csv_keeps_blank_records(tmp_path: Path) -> None:
    out = tmp_path / "one.csv"
    generate(out, schema=[{"name": "v", "type": "City", "percentBlank": 50}], rows=200)
    assert len(read_records(out)) == 200


def test_pretty_json_with_windows_line_endings(tmp_path: Path) -> None:
    out = tmp_path / "pretty.json"
    generate(out, schema=SCHEMA, rows=20, pretty=True, line_ending="windows")
    raw = out.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and json.loads(raw) == read_records(out)
