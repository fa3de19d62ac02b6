"""Arrays and nesting: JSON Array, name[3] and name[2-5], Repeating Element, hidden fields."""

from __future__ import annotations

import collections
import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from datagen import SchemaError, UsageError, generate
from tests.datagen.support import read_records

PEOPLE: list[dict[str, Any]] = [
    {"name": "id", "type": "Row Number"},
    {"name": "phones[2]", "type": "Phone"},
    {"name": "tags[1-3]", "type": "Custom List", "values": ["a", "b", "c", "d"]},
    {"name": "friends", "type": "JSON Array", "minItems": 0, "maxItems": 3},
    {"name": "friends.name", "type": "First Name"},
    {"name": "friends.__secret", "type": "Number", "min": 1, "max": 9},
    {"name": "friends.label", "type": "Formula",
     "value": "name + '#' + id.to_s + '/' + __secret.to_s"},
    {"name": "friends.pets[1-2].kind", "type": "Custom List", "values": ["cat", "dog"]},
    {"name": "friends.pets[1-2].age", "type": "Number", "min": 1, "max": 15, "percentBlank": 20},
    {"name": "home.city", "type": "City"},
]  # fmt: skip


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("people") / "people.jsonl"
    generate(out, schema=PEOPLE, rows=2000, seed=6)
    return read_records(out)


def test_arrays_of_values_have_the_hinted_sizes(people: list[dict[str, Any]]) -> None:
    assert all(len(r["phones"]) == 2 for r in people)
    sizes = collections.Counter(len(r["tags"]) for r in people)
    assert set(sizes) == {1, 2, 3} and min(sizes.values()) > 500
    assert all(set(r["tags"]) <= set("abcd") for r in people)


def test_json_array_of_objects_with_nested_arrays(people: list[dict[str, Any]]) -> None:
    sizes = collections.Counter(len(r["friends"]) for r in people)
    assert set(sizes) == {0, 1, 2, 3} and min(sizes.values()) > 350
    friends = [f for r in people for f in r["friends"]]
    assert all(list(f) == ["name", "label", "pets"] for f in friends)  # __secret is hidden
    assert all(1 <= len(f["pets"]) <= 2 for f in friends)
    assert {p["kind"] for f in friends for p in f["pets"]} == {"cat", "dog"}
    ages = [p["age"] for f in friends for p in f["pets"]]
    assert ages.count(None) / len(ages) == pytest.approx(0.2, abs=0.03)


def test_formulas_in_elements_read_the_element_and_the_record(
    people: list[dict[str, Any]],
) -> None:
    for r in people:
        for f in r["friends"]:
            name, rest = f["label"].split("#")
            record, secret = rest.split("/")
            assert name == f["name"] and int(record) == r["id"] and 1 <= int(secret) <= 9


def test_parquet_stores_arrays_as_lists_of_structs(tmp_path: Path, people: list[Any]) -> None:
    out = tmp_path / "people.parquet"
    generate(out, schema=PEOPLE, rows=2000, seed=6)
    schema = pq.read_schema(out)
    assert str(schema.field("phones").type) == "list<element: string>"
    assert schema.field("friends").type.value_type.get_field_index("pets") == 2
    assert read_records(out) == people


def test_csv_writes_each_array_as_one_column_of_json(tmp_path: Path, people: list[Any]) -> None:
    out = tmp_path / "people.csv"
    generate(out, schema=PEOPLE, rows=2000, seed=6)
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert list(rows[0]) == ["id", "phones", "tags", "friends", "home.city"]
    for row, record in zip(rows, people, strict=True):
        assert json.loads(row["friends"]) == record["friends"]
        assert json.loads(row["phones"]) == record["phones"]
        assert row["home.city"] == record["home"]["city"]


def test_pretty_json_indents_arrays(tmp_path: Path, people: list[Any]) -> None:
    out = tmp_path / "people.json"
    generate(out, schema=PEOPLE, rows=2000, seed=6, pretty=True)
    text = out.read_text()
    assert '\n    "phones": [\n      "' in text and '"friends": []' in text
    assert json.loads(text) == people


def test_same_bytes_for_any_workers_and_a_truth_file(tmp_path: Path, small_chunks: int) -> None:
    digests = set()
    for workers in (1, 3):
        out, truth = tmp_path / f"p{workers}.jsonl", tmp_path / f"t{workers}.jsonl"
        generate(out, schema=PEOPLE, rows=4500, seed=1, workers=workers, versions=3, truth=truth)
        digests.add((out.read_bytes(), truth.read_bytes()))
    assert len(digests) == 1
    ((data, truth_bytes),) = digests
    latest: dict[int, Any] = {}
    for line in data.splitlines():
        r = json.loads(line)
        if r["id"] not in latest or r["updated_at"] >= latest[r["id"]]["updated_at"]:
            latest[r["id"]] = r
    truth = [json.loads(line) for line in truth_bytes.splitlines()]
    assert truth == [latest[k] for k in sorted(latest)] and "friends" in truth[0]


def test_an_array_with_only_hidden_fields_has_empty_objects(tmp_path: Path) -> None:
    schema = [{"name": "xs", "type": "JSON Array", "minItems": 2, "maxItems": 2},
              {"name": "xs.__n", "type": "Number"}]  # fmt: skip
    out = tmp_path / "o.jsonl"
    generate(out, schema=schema, rows=3)
    assert read_records(out) == [{"xs": [{}, {}]}] * 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([{"name": "a[2].x", "type": "City"}, {"name": "a[3].y", "type": "City"}],
         r"fields\[1\] 'a\[3\].y': array 'a' has 3-3 items here but 2-2 in fields\[0\]"),
        ([{"name": "friends", "type": "JSON Array"}],
         r"fields\[0\] 'friends': the array 'friends' has no fields; add fields named "
         r"'friends.<name>'"),
        ([{"name": "a[2]", "type": "City"}, {"name": "a.b", "type": "City"}],
         r"fields\[1\] 'a.b': nests under fields\[0\] 'a\[2\]', which is a plain field"),
        ([{"name": "a[2]", "type": "City"}, {"name": "a.b[2]", "type": "City"}],
         r"fields\[1\] 'a.b\[2\]': nests under 'a', an array of values"),
        ([{"name": "a[2-1]", "type": "City"}], r"the array size \[2-1\] must be from 0 to 1000"),
        ([{"name": "a[5000]", "type": "City"}], r"the array size \[5000-5000\] must be from 0"),
        ([{"name": "f[2]", "type": "JSON Array"}, {"name": "f.x", "type": "City"}],
         r"a JSON Array sets its size with minItems and maxItems, not brackets"),
        ([{"name": "f", "type": "JSON Array", "minItems": 4, "maxItems": 2},
          {"name": "f.x", "type": "City"}],
         r"option 'minItems' \(4\) must not be greater than 'maxItems' \(2\)"),
        ([{"name": "f", "type": "JSON Array", "maxitems": 2}, {"name": "f.x", "type": "City"}],
         r"unknown option 'maxitems' for type 'JSON Array'; did you mean 'maxItems'\?"),
        ([{"name": "f[2].x", "type": "City"}, {"name": "f", "type": "City"}],
         r"fields\[1\] 'f': 'f' is also an array of objects"),
        ([{"name": "a", "type": "City"}, {"name": "a.b", "type": "City"}],
         r"fields\[1\] 'a.b': nests under fields\[0\] 'a', which is a plain field"),
        ([{"name": "f[2].x", "type": "City"}, {"name": "y", "type": "Formula", "value": "f.x"}],
         r"fields\[1\] 'y': formula 'f.x' reads 'f.x', which is inside the array 'f'"),
        ([{"name": "a..b", "type": "City"}], r"a dotted name cannot have an empty part"),
        ([{"name": "__a", "type": "City"}], r"every field is hidden"),
    ],
)  # fmt: skip
def test_layout_mistakes_are_schema_errors(
    tmp_path: Path, fields: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(SchemaError, match=message) as caught:
        generate(tmp_path / "o.jsonl", schema=fields, rows=5)
    assert "\n" not in str(caught.value) and list(tmp_path.iterdir()) == []


def test_text_files_refuse_arrays(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="one value per line"):
        generate(tmp_path / "o.txt", schema=[{"name": "w[2]", "type": "City"}], rows=5)
