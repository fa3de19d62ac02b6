"""SQL, TSV, custom delimiters, XML and include_nulls: read back with independent readers."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from datagen import UsageError, generate
from tests.datagen.support import read_records

TRICKY = ["plain", "it's", 'say "hi"', "a,b|c;d", "line\nbreak", "back\\slash", "tab\there",
          "ünïcødé ✓", "", "<tag> & </tag>", "cr\rhere"]  # fmt: skip
SCHEMA: list[dict[str, Any]] = [
    {"name": "id", "type": "Row Number"},
    {"name": "text", "type": "Custom List", "values": TRICKY},
    {"name": "amount", "type": "Number", "min": -1000, "max": 1000, "decimals": 3,
     "percentBlank": 20},
    {"name": "flag", "type": "Boolean", "percentBlank": 20},
    {"name": "who.name", "type": "Full Name"},
    {"name": "who.city", "type": "City", "percentBlank": 20},
    {"name": "tags[0-2]", "type": "Custom List", "values": ["x", "y"]},
]  # fmt: skip
ROWS = 1500


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    generate(out, schema=SCHEMA, rows=ROWS, seed=11)
    return read_records(out)


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    who = record["who"]
    return {"id": record["id"], "text": record["text"], "amount": record["amount"],
            "flag": record["flag"], "who.name": who["name"], "who.city": who["city"],
            "tags": record["tags"]}  # fmt: skip


def _sqlite_rows(sql: str, table: str) -> list[dict[str, Any]]:
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(sql)
        cursor = db.execute(f"SELECT * FROM {table} ORDER BY rowid")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]
    finally:
        db.close()


def _as_sqlite(record: dict[str, Any]) -> dict[str, Any]:
    flat = _flat(record)
    flat["flag"] = None if flat["flag"] is None else int(flat["flag"])
    flat["tags"] = json.dumps(flat["tags"], separators=(",", ":"))
    return flat


def test_sql_with_create_table_loads_into_sqlite(tmp_path: Path, reference: list[Any]) -> None:
    out = tmp_path / "people.sql"
    generate(out, schema=SCHEMA, rows=ROWS, seed=11, create_table=True, insert_batch=400)
    sql = out.read_bytes().decode()  # not read_text(): it would turn CR into LF
    assert sql.startswith('CREATE TABLE "people" (\n  "id" BIGINT,\n  "text" TEXT,\n'
                          '  "amount" DOUBLE PRECISION,\n  "flag" BOOLEAN,')  # fmt: skip
    assert sql.count('INSERT INTO "people" ("id", "text", "amount"') == 4  # 1500 rows / 400
    assert _sqlite_rows(sql, '"people"') == [_as_sqlite(r) for r in reference]


def test_sql_table_name_is_quoted_and_batches_span_chunks(
    tmp_path: Path, small_chunks: int
) -> None:
    """Statements start every 300 rows of the file, across chunks of 1,000 and any workers."""
    generate(tmp_path / "ref.jsonl", schema=SCHEMA, rows=ROWS, seed=11)
    reference = read_records(tmp_path / "ref.jsonl")
    digests = set()
    for workers in (1, 2, 3):
        out = tmp_path / f"w{workers}.sql"
        generate(out, schema=SCHEMA, rows=ROWS, seed=11, table_name='odd "name"',
                 insert_batch=300, workers=workers)  # fmt: skip
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1
    sql = (tmp_path / "w1.sql").read_bytes().decode()
    assert sql.count('INSERT INTO "odd ""name"""') == 5 and sql.endswith(");\n")
    table = 'CREATE TABLE "odd ""name""" (id, text, amount, flag, "who.name", "who.city", tags);'
    assert _sqlite_rows(table + sql, '"odd ""name"""') == [_as_sqlite(r) for r in reference]


def test_tsv_and_custom_delimiters_round_trip(tmp_path: Path, reference: list[Any]) -> None:
    def rows(path: Path, delimiter: str, quote: str) -> list[dict[str, str]]:
        text = io.StringIO(path.read_bytes().decode(), newline="")
        return list(csv.DictReader(text, delimiter=delimiter, quotechar=quote))

    generate(tmp_path / "a.tsv", schema=SCHEMA, rows=ROWS, seed=11)
    generate(tmp_path / "b.csv", schema=SCHEMA, rows=ROWS, seed=11, delimiter="|", quote_char="'")
    generate(tmp_path / "c.csv", schema=SCHEMA, rows=ROWS, seed=11)
    tsv, piped, plain = rows(tmp_path / "a.tsv", "\t", '"'), rows(tmp_path / "b.csv", "|", "'"), \
        rows(tmp_path / "c.csv", ",", '"')  # fmt: skip
    assert tsv == piped == plain
    assert (tmp_path / "a.tsv").read_text().startswith("id\ttext\tamount\tflag\twho.name\t")
    assert [r["text"] for r in tsv] == [r["text"] for r in reference]
    assert [json.loads(r["tags"]) for r in tsv] == [r["tags"] for r in reference]


def _xml_value(v: Any) -> str | None:
    if v is None:
        return None
    return "true" if v is True else "false" if v is False else str(v)


def test_xml_parses_to_the_same_records(tmp_path: Path, reference: list[Any]) -> None:
    out = tmp_path / "people.xml"
    generate(out, schema=SCHEMA, rows=ROWS, seed=11, xml_root="people", xml_record="person")
    root = ET.parse(out).getroot()
    assert root.tag == "people" and len(root) == ROWS
    for element, record in zip(root, reference, strict=True):
        assert element.tag == "person"
        for key in ("id", "text", "amount", "flag"):
            found = element.find(key)
            assert (None if found is None else (found.text or "")) == _xml_value(record[key])
        assert element.findtext("who/name") == record["who"]["name"]
        assert [t.text for t in element.findall("tags")] == record["tags"]


def test_xml_attributes_values_and_invalid_characters(tmp_path: Path) -> None:
    schema = [{"name": "@id", "type": "Row Number"},
              {"name": "nick.@short", "type": "Custom List", "values": ['B"o\t']},
              {"name": "nick.$value", "type": "Custom List", "values": ["Robert"]},
              {"name": "note", "type": "Custom List", "values": ["bell\x07 & <x>"]},
              {"name": "friend", "type": "Repeating Element", "minItems": 2, "maxItems": 2},
              {"name": "friend.name", "type": "Custom List", "values": ["Ann"]}]  # fmt: skip
    out = tmp_path / "o.xml"
    generate(out, schema=schema, rows=2)
    text = out.read_text()
    assert '<record id="1">' in text and '<nick short="B&quot;o&#9;">Robert</nick>' in text
    first = ET.parse(out).getroot()[0]
    assert first.get("id") == "1" and first.find("nick").get("short") == 'B"o\t'  # type: ignore[union-attr]
    assert first.findtext("note") == "bell\ufffd & <x>"
    assert [f.findtext("name") for f in first.findall("friend")] == ["Ann", "Ann"]


def test_json_without_nulls_leaves_blank_keys_out(tmp_path: Path, reference: list[Any]) -> None:
    out = tmp_path / "o.jsonl"
    generate(out, schema=SCHEMA, rows=ROWS, seed=11, include_nulls=False)
    got = read_records(out)

    def drop(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if v is not None}
        return value

    assert got == [drop(r) for r in reference]
    assert any("amount" not in r for r in got) and any(r["who"] == {"name": r["who"]["name"]}
                                                       for r in got)  # fmt: skip
    pretty = tmp_path / "o.json"
    generate(pretty, schema=SCHEMA, rows=ROWS, seed=11, include_nulls=False, pretty=True)
    assert json.loads(pretty.read_text()) == got


@pytest.mark.parametrize("name", ["e.sql", "e.tsv", "e.xml", "e.xml.gz", "e.sql.gz"])
def test_same_bytes_for_any_workers(tmp_path: Path, small_chunks: int, name: str) -> None:
    digests = set()
    for workers in (1, 2):
        out = tmp_path / f"w{workers}-{name}"
        generate(
            out,
            schema=SCHEMA,
            rows=4321,
            seed=9,
            workers=workers,
            table_name="t" if ".sql" in name else None,
        )  # (not named after the file)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("e.sql", {}, ""),
        ("e.sql", {"create_table": True}, 'CREATE TABLE "e" (\n  "id" BIGINT,'),
        ("e.tsv", {}, "id\ttext\tamount\tflag\twho.name\twho.city\ttags\n"),
        ("e.xml", {}, '<?xml version="1.0" encoding="UTF-8"?>\n<dataset>\n</dataset>\n'),
    ],
)
def test_zero_rows(tmp_path: Path, name: str, options: dict[str, Any], expected: str) -> None:
    generate(tmp_path / name, schema=SCHEMA, rows=0, **options)
    assert (tmp_path / name).read_text().startswith(expected)
    if name.endswith(".sql"):
        assert "INSERT" not in (tmp_path / name).read_text()


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (
            "o.jsonl",
            {"delimiter": "|"},
            "--delimiter only applies to CSV and TSV files, not ndjson",
        ),
        ("o.csv", {"table_name": "t"}, "--table-name only applies to .sql files, not csv"),
        ("o.json", {"create_table": True}, "--create-table only applies to .sql files"),
        ("o.csv", {"xml_root": "r"}, "--xml-root only applies to .xml files"),
        ("o.csv", {"include_nulls": False}, "--no-include-nulls only applies to JSON files"),
        ("o.csv", {"delimiter": "ab"}, "--delimiter must be one character"),
        ("o.csv", {"delimiter": "\n"}, "--delimiter must be one character"),
        ("o.csv", {"quote_char": ","}, "--quote-char and --delimiter must differ"),
        ("o.sql", {"insert_batch": 0}, "--insert-batch must be a whole number of at least 1"),
        ("o.xml", {"xml_record": "2x"}, "--xml-record '2x' is not an XML element name"),
        ("o.sql", {"table_name": " "}, "--table-name must be a non-empty name"),
    ],
)
def test_option_mistakes(tmp_path: Path, name: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        generate(tmp_path / name, schema=SCHEMA, rows=5, **options)


def test_xml_refuses_names_it_cannot_write(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="field 'first name': 'first name' is not an XML name"):
        generate(tmp_path / "o.xml", schema=[{"name": "first name", "type": "City"}], rows=5)


def test_delimiter_names(tmp_path: Path) -> None:
    generate(tmp_path / "o.csv", schema=SCHEMA[:2], rows=2, delimiter="tab")
    assert (tmp_path / "o.csv").read_text().startswith("id\ttext\n")


@pytest.mark.parametrize("name", ["o.tsv", "o.sql", "o.xml", "o.json"])
def test_windows_line_endings_everywhere(tmp_path: Path, name: str) -> None:
    schema = [{"name": "id", "type": "Row Number"}, {"name": "city", "type": "City"},
              {"name": "tags[2]", "type": "Custom List", "values": ["a", "b"]}]  # fmt: skip
    out = tmp_path / name
    generate(out, schema=schema, rows=50, line_ending="windows", pretty=name.endswith(".json"),
             create_table=name.endswith(".sql"))  # fmt: skip
    raw = out.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") > 50
