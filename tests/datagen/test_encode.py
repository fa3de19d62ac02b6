"""Encoders: any text survives JSON and CSV encoding, and templates nest dotted names."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.columns import Column
from datagen.encode import csv_template, csv_values, json_template, json_values, render

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=20))
def test_json_round_trip(values: list[str | None]) -> None:
    column = Column(pa.array(values, pa.string()))
    lines = render(
        json_template(["a.b", "c"], pretty=False, suffix="\n"), [json_values(column)] * 2
    )
    decoded = [json.loads(line) for line in lines.to_pylist()]
    assert decoded == [{"a": {"b": v}, "c": v} for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_csv_round_trip(values: list[str]) -> None:
    column = Column(pa.array(values, pa.string()))
    text = "".join(render(csv_template(2, "\r\n"), [csv_values(column)] * 2).to_pylist())
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [[v, v] for v in values]


def test_dictionary_columns_encode_their_pool_once() -> None:
    column = Column(
        pa.DictionaryArray.from_arrays(pa.array([1, 0, None, 1]), pa.array(['x"', "y"]))
    )
    assert json_values(column).to_pylist() == ['"y"', '"x\\""', "null", '"y"']


def test_bare_values_are_unquoted() -> None:
    column = Column(pa.array(["2024-01-01T00:00:00Z", "1704067200"]), bare=pa.array([False, True]))
    assert json_values(column).to_pylist() == ['"2024-01-01T00:00:00Z"', "1704067200"]
