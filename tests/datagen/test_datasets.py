"""Datasets: Dataset Column and from_dataset() read local CSV files, for foreign keys."""

from __future__ import annotations

import collections
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from datagen import SchemaError, UsageError, generate
from datagen.cli import main
from tests.datagen.support import read_records

CUSTOMERS = [
    {"name": "id", "type": "Row Number"},
    {"name": "name", "type": "Full Name"},
    {"name": "tier", "type": "Custom List", "values": ["gold", "silver", "bronze"]},
    {"name": "weight", "type": "Custom List", "values": [0, 1, 3]},
]
ORDERS: list[dict[str, Any]] = [
    {"name": "order_id", "type": "Row Number"},
    {"name": "customer_id", "type": "Dataset Column", "dataset": "customers", "column": "id"},
    {"name": "customer_name", "type": "Dataset Column", "dataset": "customers",
     "column": "name"},
    {"name": "tier", "type": "Formula",
     "value": "from_dataset('customers', 'tier', id: customer_id)"},
    {"name": "next_tier", "type": "Formula",
     "value": "from_dataset('customers', 'tier', id: customer_id + 1)"},
]  # fmt: skip


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    generate(path, schema=CUSTOMERS, rows=200, seed=1)
    return path, read_records(path)


def test_orders_reference_generated_customers(tmp_path: Path, customers: Any) -> None:
    path, people = customers
    by_id = {int(c["id"]): c for c in people}
    out = tmp_path / "orders.jsonl"
    generate(out, schema=ORDERS, rows=5000, seed=2, datasets={"customers": path})
    orders = read_records(out)
    for o in orders:
        customer = by_id[o["customer_id"]]  # every foreign key exists
        assert o["customer_name"] == customer["name"]  # one row per record, for both fields
        assert o["tier"] == customer["tier"]
        nxt = by_id.get(o["customer_id"] + 1)
        assert o["next_tier"] == (nxt["tier"] if nxt else None)  # no match is nil
    assert len({o["customer_id"] for o in orders}) == 200  # random rows reach every row


@pytest.mark.parametrize("workers", [2, 3])
def test_same_bytes_for_any_workers(
    tmp_path: Path, small_chunks: int, customers: Any, workers: int
) -> None:
    path, _ = customers
    digests = set()
    for w in (1, workers):
        out = tmp_path / f"w{w}.jsonl"
        generate(out, schema=ORDERS, rows=4500, seed=2, workers=w, datasets={"customers": path})
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_sequential_and_weighted_styles(tmp_path: Path, customers: Any) -> None:
    path, people = customers
    schema = [
        {"name": "seq", "type": "Dataset Column", "dataset": "c", "column": "id",
         "selectionStyle": "sequential"},
        {"name": "heavy", "type": "Dataset Column", "dataset": "c", "column": "weight",
         "selectionStyle": "weighted", "weightColumn": "weight"},
    ]  # fmt: skip
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=3000, datasets=[f"c={path}"])
    records = read_records(out)
    assert [r["seq"] for r in records] == [i % 200 + 1 for i in range(3000)]
    counts = collections.Counter(r["heavy"] for r in records)
    weights = collections.Counter(int(c["weight"]) for c in people)
    share = weights[3] * 3 / (weights[3] * 3 + weights[1])  # rows of weight 0 never come up
    assert set(counts) == {1, 3} and counts[3] / 3000 == pytest.approx(share, abs=0.03)


def test_datasets_inside_arrays(tmp_path: Path, customers: Any) -> None:
    path, people = customers
    names = {c["name"] for c in people}
    schema = [{"name": "team[3].member", "type": "Dataset Column", "dataset": "c",
               "column": "name"}]  # fmt: skip
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=50, datasets={"c": path})
    assert all(len(r["team"]) == 3 and {m["member"] for m in r["team"]} <= names
               for r in read_records(out))  # fmt: skip


def test_command_line_dataset_option(tmp_path: Path, customers: Any) -> None:
    path, _ = customers
    schema = tmp_path / "orders.json"
    schema.write_text('[{"name": "c", "type": "Dataset Column", "dataset": "customers", '
                      '"column": "id"}]')  # fmt: skip
    out = tmp_path / "o.csv"
    args = ["--schema", str(schema), "--rows", "10", "-o", str(out), "--quiet"]
    assert main([*args, "--dataset", f"customers={path}"]) == 0
    assert len(out.read_text().splitlines()) == 11


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"type": "Dataset Column", "dataset": "people", "column": "id"},
         r"dataset 'people' was not given; pass --dataset people=PATH.csv \(datasets given: 'c'\)"),
        ({"type": "Dataset Column", "dataset": "c", "column": "nme"},
         r"dataset 'c' has no column 'nme' \(closest: 'name'\)"),
        ({"type": "Dataset Column", "dataset": "c", "column": "id", "selectionStyle": "weighted",
          "weightColumn": "name"}, r"option 'weightColumn' must name a numeric column"),
        ({"type": "Dataset Column", "dataset": "c", "column": "id", "weightColumn": "weight"},
         r"option 'weightColumn' only applies to selectionStyle 'weighted'"),
        ({"type": "Dataset Column", "dataset": "c", "column": "id", "selectionStyle": "odd"},
         r"option 'selectionStyle' must be one of"),
        ({"type": "Formula", "value": "from_dataset('c', 'tier')"},
         r"from_dataset needs one join criterion"),
        ({"type": "Formula", "value": "from_dataset('c', 'tier', idd: 1)"},
         r"at position 1: dataset 'c' has no column 'idd'"),
        ({"type": "Formula", "value": "from_dataset('x', 'tier', id: 1)"},
         r"dataset 'x' was not given"),
    ],
)  # fmt: skip
def test_schema_mistakes(tmp_path: Path, customers: Any, field: dict, message: str) -> None:
    path, _ = customers
    with pytest.raises(SchemaError, match=message):
        generate(tmp_path / "o.jsonl", schema=[{"name": "f", **field}], rows=5,
                 datasets={"c": path})  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["customers"], r"--dataset must be NAME=PATH.csv, got 'customers'"),
        (["c=missing.csv"], r"--dataset c: cannot read 'missing.csv': No such file"),
        (["c={p}", "c={p}"], r"--dataset 'c' is given twice"),
        (["c={e}"], r"--dataset c: .* has no rows"),
    ],
)
def test_dataset_option_mistakes(tmp_path: Path, customers: Any, spec: list, message: str) -> None:
    path, _ = customers
    empty = tmp_path / "empty.csv"
    empty.write_text("id,name\n")
    specs = [s.format(p=path, e=empty) for s in spec]
    schema = [{"name": "f", "type": "Dataset Column", "dataset": "c", "column": "id"}]
    with pytest.raises(UsageError, match=message):
        generate(tmp_path / "o.jsonl", schema=schema, rows=5, datasets=specs)


def test_sql_expression_is_written_unquoted_in_sql_only(tmp_path: Path) -> None:
    schema = [{"name": "id", "type": "Row Number"},
              {"name": "created", "type": "SQL Expression", "value": "CURRENT_DATE"},
              {"name": "twice", "type": "SQL Expression", "value": "x",
               "formula": "'(' + id.to_s + ' * 2)'"}]  # fmt: skip
    generate(tmp_path / "o.sql", schema=schema, rows=3, create_table=True)
    sql = (tmp_path / "o.sql").read_text()
    assert "(1, CURRENT_DATE, (1 * 2))," in sql
    db = sqlite3.connect(":memory:")
    db.executescript(sql)
    rows = db.execute('SELECT id, length(created), twice FROM "o"').fetchall()
    db.close()
    assert rows == [(1, 10, "2"), (2, 10, "4"), (3, 10, "6")]  # TEXT columns: '2' not 2
    generate(tmp_path / "o.jsonl", schema=schema, rows=1)
    assert read_records(tmp_path / "o.jsonl") == [{"id": 1, "created": "CURRENT_DATE",
                                                    "twice": "(1 * 2)"}]  # fmt: skip
