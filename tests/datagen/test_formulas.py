"""Formulas in schemas: on any field, the Formula and Template types, hidden fields."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from datagen import SchemaError, generate
from tests.datagen.support import read_records

SHOP: list[dict[str, Any]] = [
    {"name": "id", "type": "Row Number"},
    {"name": "first_name", "type": "First Name"},
    {"name": "last_name", "type": "Last Name"},
    {"name": "email", "type": "Email Address",
     "formula": "lower(first_name) + '.' + lower(last_name) + '@example.com'"},
    {"name": "amount", "type": "Number", "min": 1, "max": 1000, "decimals": 2},
    {"name": "__tax", "type": "Number", "min": 5, "max": 25},
    {"name": "total", "type": "Formula", "value": "round(amount * (1 + __tax / 100.0), 2)"},
    {"name": "status", "type": "Formula",
     "value": "if total > 500 then 'big' elsif total > 100 then 'medium' else 'small' end"},
    {"name": "signup", "type": "Date", "min": "01/01/2020", "max": "12/31/2020",
     "format": "%Y-%m-%d"},
    {"name": "renewal", "type": "Date", "format": "%Y-%m-%d", "formula": "signup + years(1)"},
    {"name": "greeting", "type": "Template", "value": "Dear {first_name} {last_name},"},
    {"name": "bucket", "type": "Number", "min": 1, "max": 5, "formula": "this * 100",
     "percentBlank": 25},
]  # fmt: skip


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("shop") / "shop.jsonl"
    generate(out, schema=SHOP, rows=3000, seed=4)
    return read_records(out)


def test_formula_on_any_field_reads_the_same_row(shop: list[dict[str, Any]]) -> None:
    for r in shop:
        assert r["email"] == f"{r['first_name'].lower()}.{r['last_name'].lower()}@example.com"
        assert r["greeting"] == f"Dear {r['first_name']} {r['last_name']},"


def test_hidden_fields_are_read_but_not_written(shop: list[dict[str, Any]]) -> None:
    assert all("__tax" not in r for r in shop)
    rates = {round(r["total"] / r["amount"] - 1, 2) for r in shop}
    assert rates <= {round(t / 100, 2) for t in range(5, 26)} and len(rates) > 15


def test_formula_type_and_conditions(shop: list[dict[str, Any]]) -> None:
    for r in shop:
        want = "big" if r["total"] > 500 else "medium" if r["total"] > 100 else "small"
        assert r["status"] == want
    assert {r["status"] for r in shop} == {"big", "medium", "small"}


def test_dates_are_dates_and_keep_the_fields_format(shop: list[dict[str, Any]]) -> None:
    for r in shop:
        year, rest = r["signup"].split("-", 1)
        if rest != "02-29":
            assert r["renewal"] == f"{int(year) + 1}-{rest}"
        else:
            assert r["renewal"] == f"{int(year) + 1}-02-28"


def test_this_is_the_fields_own_value_and_blanks_come_last(shop: list[dict[str, Any]]) -> None:
    values = [r["bucket"] for r in shop]
    assert set(values) == {100, 200, 300, 400, 500, None}
    assert values.count(None) / len(values) == pytest.approx(0.25, abs=0.04)


def test_formulas_run_in_the_order_they_need(tmp_path: Path) -> None:
    """A formula may read a field defined after it."""
    schema = [
        {"name": "label", "type": "Formula", "value": "concat('#', n)"},
        {"name": "n", "type": "Number", "min": 1, "max": 9, "formula": "this * 11"},
    ]
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=50)
    assert all(r["label"] == f"#{r['n']}" and r["n"] % 11 == 0 for r in read_records(out))


@pytest.mark.parametrize("name", ["o.csv", "o.parquet", "o.json"])
def test_every_format_writes_formula_values(tmp_path: Path, name: str) -> None:
    generate(tmp_path / "o.jsonl", schema=SHOP, rows=200, seed=2)
    generate(tmp_path / name, schema=SHOP, rows=200, seed=2)
    reference = read_records(tmp_path / "o.jsonl")
    got = read_records(tmp_path / name)
    assert [r["status"] for r in got] == [r["status"] for r in reference]
    assert all("__tax" not in r for r in got)


def test_same_bytes_for_any_workers(tmp_path: Path, small_chunks: int) -> None:
    digests = set()
    for workers in (1, 3):
        out = tmp_path / f"w{workers}.jsonl"
        generate(out, schema=[*SHOP, {"name": "dice", "type": "Formula", "value": "random(1, 6)"}],
                 rows=4500, seed=8, workers=workers)  # fmt: skip
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_generate_makes_values_of_any_type(tmp_path: Path) -> None:
    schema = [{"name": "n", "type": "Formula", "value": 'generate("Number", min: 3, max: 4) * 2'},
              {"name": "who", "type": "Formula", "value": 'generate("First Name")'}]  # fmt: skip
    out = tmp_path / "g.jsonl"
    generate(out, schema=schema, rows=300)
    records = read_records(out)
    assert {r["n"] for r in records} == {6, 8} and all(r["who"] for r in records)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{"name": "a", "type": "Number"}, {"name": "b", "type": "Formula", "value": "a + amont"}],
         r"fields\[1\] 'b': formula 'a \+ amont' at position 5: unknown field 'amont'"),
        ([{"name": "a", "type": "Number", "formula": "b + 1"},
          {"name": "b", "type": "Formula", "value": "a * 2"}],
         r"fields\[0\] 'a': formulas read each other in a circle \('a' -> 'b' -> 'a'\)"),
        ([{"name": "a", "type": "Date"}, {"name": "b", "type": "Formula", "value": "a + 'x'"}],
         r"fields\[1\] 'b': formula \"a \+ 'x'\" at position 3: cannot use '\+' between a date "
         "and text"),
        ([{"name": "b", "type": "Template", "value": "{a} and {c}"}, {"name": "a", "type": "City"}],
         r"fields\[0\] 'b': template '\{a\} and \{c\}' names 'c', which is not a field"),
        ([{"name": "b", "type": "Formula"}],
         r"fields\[0\] 'b': option 'value' must be the formula"),
        ([{"name": "b", "type": "Formula", "value": "1", "formula": "2"}],
         r"fields\[0\] 'b': option 'value' and 'formula' are both given"),
        ([{"name": "b", "type": "Formula", "value": "generate('Numbr')"}],
         r"fields\[0\] 'b': formula \"generate\('Numbr'\)\" at position 1: unknown type 'Numbr'"),
        ([{"name": "b", "type": "Formula", "value": "generate('Number', mn: 1)"}],
         r"unknown option 'mn' for type 'Number'; did you mean 'min'\?"),
        ([{"name": "b", "type": "Formula", "value": "1", "vlaue": "2"}],
         r"unknown option 'vlaue' for type 'Formula'; did you mean 'value'\?"),
    ],
)  # fmt: skip
def test_formula_mistakes_are_schema_errors_before_any_output(
    tmp_path: Path, fields: list[dict[str, Any]], message: str
) -> None:
    out = tmp_path / "o.jsonl"
    with pytest.raises(SchemaError, match=message) as caught:
        generate(out, schema=fields, rows=10)
    assert "\n" not in str(caught.value) and list(tmp_path.iterdir()) == []


def test_versioned_key_and_timestamp_cannot_have_formulas(tmp_path: Path) -> None:
    schema = [{"name": "id", "type": "Row Number", "formula": "this * 2"},
              {"name": "v", "type": "Number"}]  # fmt: skip
    with pytest.raises(SchemaError, match="key and timestamp fields of --versions"):
        generate(tmp_path / "o.jsonl", schema=schema, rows=10, versions=2)


def test_template_braces_and_names_with_spaces(tmp_path: Path) -> None:
    template = '{{literal}} {First Name} "#x\\\\'
    schema = [{"name": "First Name", "type": "Custom List", "values": ["Ann"]},
              {"name": "t", "type": "Template", "value": template}]  # fmt: skip
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=2)
    assert [r["t"] for r in read_records(out)] == ['{literal} Ann "#x\\\\'] * 2
