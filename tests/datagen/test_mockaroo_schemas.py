"""Realistic Mockaroo exports run unchanged: formulas, nested arrays, a dataset join, hidden
fields, and every output format read back by an independent reader."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from datagen import generate
from tests.datagen.support import read_records


def _column(name: str, type_: str, **options: Any) -> dict[str, Any]:
    """A column as Mockaroo's schema export writes it."""
    return {"name": name, "null_percentage": options.pop("null", 0), "type": type_,
            "formula": options.pop("formula", ""), **options}  # fmt: skip


PEOPLE = {
    "id": 1234, "num_rows": 1000, "file_format": "json", "name": "people",
    "include_header": True, "array": False,
    "columns": [
        _column("id", "Row Number"),
        _column("first_name", "First Name"),
        _column("last_name", "Last Name"),
        _column("email", "Email Address"),
        _column("gender", "Gender"),
        _column("ip_address", "IP Address v4", null=10),
        _column("__age", "Number", min=18, max=90, decimals=0),
        _column("age_group", "Formula",
                value="if __age < 30 then 'young' elsif __age < 60 then 'adult' else 'senior' end"),
        _column("phones[1-3]", "Phone", format="(###) ###-####"),
        _column("address.street", "Street Address"),
        _column("address.city", "City"),
        _column("friends", "JSON Array", minItems=0, maxItems=3),
        _column("friends.name", "Full Name"),
        _column("friends.since", "Date", min="1/1/2015", max="12/31/2023", format="%Y-%m-%d"),
        _column("signup", "Datetime", min="01/01/2023", max="12/31/2023",
                format="%Y-%m-%dT%H:%M:%S%:z", formula="this + days(1)"),
        _column("tier", "Custom List", values=["free", "pro", "team"], selectionStyle="weighted",
                distribution=[{"frequency": 80}, {"frequency": 15}, {"frequency": 5}]),
    ],
}  # fmt: skip

ORDERS = {
    "name": "orders",
    "columns": [
        _column("order_id", "Row Number"),
        _column("customer_id", "Dataset Column", dataset="people", column="id"),
        _column("customer_email", "Dataset Column", dataset="people", column="email"),
        _column("amount", "Money", min=5, max=500, symbol="$"),
        _column("__cents", "Formula", value="to_f(amount.sub('$', '')) * 100"),
        _column("big", "Formula", value="__cents > 25000"),
        _column("items", "JSON Array", minItems=1, maxItems=4),
        _column("items.sku", "Regular Expression", value="[A-Z]{3}-\\d{4}"),
        _column("items.qty", "Number", min=1, max=5),
        _column("placed", "SQL Expression", value="CURRENT_TIMESTAMP"),
        _column("note", "Template", value="Order {order_id} for {customer_email}"),
    ],
}  # fmt: skip

FORMATS = ["jsonl", "json", "csv", "tsv", "sql", "xml", "parquet"]


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("mockaroo")
    generate(folder / "people.csv", schema=PEOPLE, rows=400, seed=3)
    generate(folder / "people.jsonl", schema=PEOPLE, rows=400, seed=3)
    return folder / "people.csv", read_records(folder / "people.jsonl")


def _read(path: Path) -> Any:
    text = path.read_bytes().decode() if path.suffix != ".parquet" else ""
    if path.suffix == ".tsv":
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"))
    if path.suffix == ".sql":
        db = sqlite3.connect(":memory:")
        db.executescript(text)
        table = db.execute("SELECT name FROM sqlite_master").fetchone()[0]
        rows = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        db.close()
        return rows
    if path.suffix == ".xml":
        return ET.fromstring(text)
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return read_records(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_people_export_in_every_format(tmp_path: Path, people: Any, fmt: str) -> None:
    _, reference = people
    out = tmp_path / f"people.{fmt}"
    generate(out, schema=PEOPLE, rows=400, seed=3, create_table=fmt == "sql")
    got = _read(out)
    if fmt in ("jsonl", "json", "parquet"):
        assert got == reference
    elif fmt in ("csv", "tsv"):
        assert [json.loads(r["friends"]) for r in got] == [r["friends"] for r in reference]
        assert [r["address.city"] for r in got] == [r["address"]["city"] for r in reference]
    elif fmt == "sql":
        assert got == 400
    else:
        assert [len(e.findall("phones")) for e in got] == [len(r["phones"]) for r in reference]
        assert [e.findtext("age_group") for e in got] == [r["age_group"] for r in reference]
    for r in reference:
        assert "__age" not in r and r["age_group"] in ("young", "adult", "senior")
        assert 1 <= len(r["phones"]) <= 3 and len(r["friends"]) <= 3
        assert r["signup"][-6] in "+-" and r["signup"].startswith(("2023", "2024"))
    assert {r["tier"] for r in reference} == {"free", "pro", "team"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_orders_join_the_people_file(tmp_path: Path, people: Any, fmt: str) -> None:
    path, customers = people
    emails = {c["id"]: c["email"] for c in customers}
    out = tmp_path / f"orders.{fmt}"
    generate(out, schema=ORDERS, rows=300, seed=4, datasets={"people": path},
             create_table=fmt == "sql")  # fmt: skip
    generate(tmp_path / "ref.jsonl", schema=ORDERS, rows=300, seed=4, datasets={"people": path})
    reference = read_records(tmp_path / "ref.jsonl")
    for o in reference:
        assert emails[o["customer_id"]] == o["customer_email"]
        assert o["note"] == f"Order {o['order_id']} for {o['customer_email']}"
        assert o["big"] == (float(o["amount"][1:]) > 250) and 1 <= len(o["items"]) <= 4
    got = _read(out)
    if fmt in ("jsonl", "json", "parquet"):
        assert got == reference
    elif fmt == "sql":
        assert got == 300 and ", CURRENT_TIMESTAMP, 'Order 1 for " in out.read_text()
    elif fmt == "xml":
        assert [e.findtext("customer_email") for e in got] == [
            o["customer_email"] for o in reference
        ]
    else:
        assert [int(r["customer_id"]) for r in got] == [o["customer_id"] for o in reference]
