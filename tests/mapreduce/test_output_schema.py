"""Every part of one output has one schema: each built-in job's CSV and Parquet outputs,
empty partitions included, read with pyarrow, DuckDB and Polars as one table, hold the
values of its NDJSON output under the documented type rules (README, "Reading the output")."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec

duckdb = pytest.importorskip("duckdb")
polars = pytest.importorskip("polars")

REDUCERS = 64  # more partitions than any job here has keys: every output has empty parts

USERS = [
    {
        "id": i % 40,
        "status": ("active", "new", "gone")[i % 3],
        # status "active" only ever has int amounts: that part's `min` is typed int64
        "amount": i if i % 3 == 0 else i + 0.25,
        # the README's --timestamp-style mixed: ISO text and epoch numbers in one field
        "updated_at": 1_700_000_000 + i if i % 2 else f"2023-11-14T22:{i % 60:02d}:00Z",
        "country": ("DE", "FR", "US", "JP")[i % 4],
        "user": {"country": ("DE", "FR")[i % 2]},
    }
    for i in range(120)
]
LINES = ["the quick brown fox", "jumps over the lazy dog", "The End", ""]

JOBS = [
    ("word_count", "words.txt", ()),
    ("group_aggregate", "users.jsonl", ("by=status", "field=amount")),
    ("latest_by_key", "users.jsonl", ("key=id", "ts=updated_at")),
    ("sum_numbers", "users.jsonl", ("field=amount",)),
    ("top_n", "users.jsonl", ("field=country", "n=3")),
    ("top_n", "words.txt", ("n=4",)),
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    """Each job of JOBS run once per output format: {(job index, format): OUT}."""
    root = tmp_path_factory.mktemp("schema")
    (root / "users.jsonl").write_bytes(b"".join(orjson.dumps(u) + b"\n" for u in USERS))
    (root / "words.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    found = {}
    for index, (job, source, params) in enumerate(JOBS):
        for fmt in ("ndjson", "csv", "parquet"):
            out = root / f"{index}-{job}-{fmt}"
            spec = RunSpec(
                job=job,
                inputs=(str(root / source),),
                out=str(out),
                param_texts=params,
                output_format=fmt,
                executor="sequential",
                reducers=REDUCERS,
                split_size=700,
                state_dir=str(root / "state"),
            )
            run(spec)
            found[index, fmt] = out
    return found


def parts(out: Path, ext: str) -> list[str]:
    names = sorted(str(p) for p in out.glob(f"part-*.{ext}"))
    assert len(names) == REDUCERS
    return names


def header_of(name: str) -> list[str]:
    with open(name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def ndjson_rows(out: Path) -> list[dict[str, Any]]:
    rows = []
    for name in parts(out, "jsonl"):
        rows += [orjson.loads(line) for line in Path(name).read_bytes().splitlines()]
    return [row if isinstance(row, dict) else {"value": row} for row in rows]


def as_text(value: Any) -> str | None:
    """A value in a text column: text as is, anything else as its JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def expected_parquet(rows: list[dict[str, Any]], schema: pa.Schema) -> list[dict[str, Any]]:
    """The NDJSON rows under the Parquet rules: float64 columns hold floats, text
    columns the JSON text of what is not text, absent fields null."""
    expected = []
    for row in rows:
        shaped = {}
        for field in schema:
            value = row.get(field.name)
            if field.type == pa.string():
                value = as_text(value)
            elif field.type == pa.float64() and value is not None:
                value = float(value)
            shaped[field.name] = value
        expected.append(shaped)
    return expected


def canonical(rows: list[dict[str, Any]]) -> list[str]:
    """Rows in a comparable order (DuckDB and Polars need not keep the file order)."""
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


@pytest.mark.parametrize("index", range(len(JOBS)), ids=[f"{j}-{s}" for j, s, _ in JOBS])
def test_parquet_parts_share_one_schema_and_hold_the_ndjson_values(outputs, index):
    out = outputs[index, "parquet"]
    names = parts(out, "parquet")
    schemas = {pq.read_schema(name).remove_metadata() for name in names}
    assert len(schemas) == 1
    [schema] = schemas
    rows = ndjson_rows(outputs[index, "ndjson"])
    expected = expected_parquet(rows, schema)
    table = pa.concat_tables([pq.read_table(name) for name in names])
    assert table.to_pylist() == expected  # part order is key order: the same as NDJSON's
    glob = str(out / "part-*.parquet")
    duck = duckdb.sql(f"select * from read_parquet('{glob}')")
    assert duck.columns == schema.names
    assert canonical([dict(zip(duck.columns, r, strict=True)) for r in duck.fetchall()]) == (
        canonical(expected)
    )
    assert canonical(polars.read_parquet(glob).to_dicts()) == canonical(expected)


@pytest.mark.parametrize("index", range(len(JOBS)), ids=[f"{j}-{s}" for j, s, _ in JOBS])
def test_csv_parts_share_one_header_and_hold_the_ndjson_values(outputs, index):
    out = outputs[index, "csv"]
    names = parts(out, "csv")
    headers = {tuple(header_of(name)) for name in names}
    assert len(headers) == 1
    [header] = headers
    rows = ndjson_rows(outputs[index, "ndjson"])
    # CSV has no types: a cell is the value's text, and an empty cell reads as null
    expected = [{name: as_text(row.get(name)) or None for name in header} for row in rows]
    types = {name: pa.string() for name in header}
    options = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    table = pa.concat_tables([pacsv.read_csv(name, convert_options=options) for name in names])
    assert table.to_pylist() == expected
    glob = str(out / "part-*.csv")
    duck = duckdb.sql(f"select * from read_csv('{glob}', all_varchar=true, header=true)")
    assert tuple(duck.columns) == header
    assert canonical([dict(zip(header, r, strict=True)) for r in duck.fetchall()]) == (
        canonical(expected)
    )
    frame = polars.read_csv(glob, infer_schema=False)
    assert canonical(frame.to_dicts()) == canonical(expected)
