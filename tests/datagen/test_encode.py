"""Encoders: any text survives JSON and CSV (any delimiter and quote); dotted names nest."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.columns import Column
from datagen.encode import json_values
from datagen.layout import make_layout
from datagen.outputs import Output
from datagen.records import RowView, json_records
from datagen.schema import parse_schema
from datagen.writers import text_format

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
TREE = make_layout(parse_schema([{"name": "a.b", "type": "City"},
                                 {"name": "c", "type": "City"}])).tree  # fmt: skip


def _view(values: list[str | None]) -> RowView:
    column = Column(pa.array(values, pa.string()))
    return RowView(len(values), {0: column, 1: column}, [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=20), st.booleans())
def test_json_round_trip(values: list[str | None], nulls: bool) -> None:
    lines = json_records(TREE, _view(values), include_nulls=nulls)
    decoded = [json.loads(line) for line in lines.to_pylist()]
    if nulls:
        assert decoded == [{"a": {"b": v}, "c": v} for v in values]
    else:
        assert decoded == [{"a": {"b": v}, "c": v} if v is not None else {"a": {}}
                           for v in values]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20), st.sampled_from([",", "\t", ";", "|"]),
       st.sampled_from(['"', "'"]))  # fmt: skip
def test_csv_round_trip(values: list[str], delimiter: str, quote: str) -> None:
    fmt = text_format(TREE, Output("csv", eol="\r\n", delimiter=delimiter, quote=quote))
    text = "".join(fmt.records(_view(values), 0, len(values)).to_pylist())
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote))
    assert rows == [[v, v] for v in values]


def test_dictionary_columns_encode_their_pool_once() -> None:
    column = Column(
        pa.DictionaryArray.from_arrays(pa.array([1, 0, None, 1]), pa.array(['x"', "y"]))
    )
    assert json_values(column).to_pylist() == ['"y"', '"x\\""', "null", '"y"']


def test_bare_values_are_unquoted() -> None:
    column = Column(pa.array(["2024-01-01T00:00:00Z", "1704067200"]), bare=pa.array([False, True]))
    assert json_values(column).to_pylist() == ['"2024-01-01T00:00:00Z"', "1704067200"]
