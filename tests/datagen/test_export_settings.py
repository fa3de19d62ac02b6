"""A Mockaroo schema export's own settings (num_rows, file_format, array, include_header,
line_ending) are the run's defaults; the command line's flags win over them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from datagen import SchemaError, generate
from datagen.cli import main
from datagen.errors import UsageError

COLUMNS = [
    {"name": "id", "null_percentage": 0, "type": "Row Number", "formula": ""},
    {"name": "first_name", "null_percentage": 0, "type": "First Name", "formula": ""},
    {"name": "score", "null_percentage": 0, "type": "Number", "min": 1, "max": 9, "decimals": 0,
     "formula": ""},
]  # fmt: skip


def _export(tmp_path: Path, **settings: Any) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"id": 7, "name": "people", **settings, "columns": COLUMNS}))
    return path


def test_num_rows_is_the_default_row_count(tmp_path: Path) -> None:
    out = tmp_path / "people.jsonl"
    assert main(["--schema", str(_export(tmp_path, num_rows=37)), "-o", str(out), "--quiet"]) == 0
    assert len(out.read_bytes().splitlines()) == 37
    assert main(["--schema", str(_export(tmp_path, num_rows=37)), "-o", str(out), "--quiet",
                 "--overwrite", "--rows", "5"]) == 0  # fmt: skip
    assert len(out.read_bytes().splitlines()) == 5


def test_without_num_rows_or_rows_the_error_says_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--schema", str(_export(tmp_path)), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: give --rows N or --size SIZE (or num_rows") and err.count("\n") == 1
    )
    assert main(["--preset", "users", "-o", str(tmp_path / "y.csv")]) == 2
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()


@pytest.mark.parametrize(
    ("settings", "starts"),
    [
        ({"file_format": "csv"}, b"id,first_name,score\n1,"),
        ({"file_format": "CSV", "include_header": False}, b"1,"),
        ({"file_format": "tsv"}, b"id\tfirst_name\tscore\n"),
        ({"file_format": "json"}, b'[{"id":1,'),
        ({"file_format": "json", "array": True}, b'[{"id":1,'),
        ({"file_format": "json", "array": False}, b'{"id":1,'),
        ({"file_format": "sql"}, b"INSERT INTO "),
        ({"file_format": "xml"}, b"<?xml"),
    ],
)
def test_file_format_names_the_format_of_an_out_without_extension(
    tmp_path: Path, settings: dict, starts: bytes
) -> None:
    out = tmp_path / "people"
    generate(out, schema=str(_export(tmp_path, num_rows=3, **settings)))
    assert out.read_bytes().startswith(starts)


def test_the_extension_and_format_flag_win_over_file_format(tmp_path: Path) -> None:
    export = str(_export(tmp_path, num_rows=2, file_format="csv", include_header=False))
    generate(tmp_path / "a.jsonl", schema=export)
    assert [
        orjson.loads(line)["id"] for line in (tmp_path / "a.jsonl").read_bytes().splitlines()
    ] == [1, 2]
    generate(tmp_path / "b", schema=export, fmt="ndjson")
    assert (tmp_path / "b").read_bytes().startswith(b'{"id":1,')
    # an export's format datagen does not write only matters when nothing else says
    excel = str(_export(tmp_path, num_rows=2, file_format="excel"))
    generate(tmp_path / "c.csv", schema=excel)
    with pytest.raises(UsageError, match=r"asks for file_format 'excel', which datagen does not"):
        generate(tmp_path / "d", schema=excel)
    assert not (tmp_path / "d").exists()


def test_include_header_and_line_ending_apply_unless_flags_say_otherwise(tmp_path: Path) -> None:
    export = str(_export(tmp_path, num_rows=2, include_header=False, line_ending="windows"))
    out = tmp_path / "p.csv"
    generate(out, schema=export)
    data = out.read_bytes()
    assert data.startswith(b"1,") and data.count(b"\r\n") == 2
    generate(out, schema=export, line_ending="unix", header=True)
    data = out.read_bytes()
    assert data.startswith(b"id,first_name,score\n") and b"\r" not in data
    # a Parquet file has neither: the export's settings do not make it an error
    generate(tmp_path / "p.parquet", schema=export)


def test_no_header_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = str(_export(tmp_path, num_rows=2))
    out = tmp_path / "p.tsv"
    assert main(["--schema", export, "-o", str(out), "--no-header", "--quiet"]) == 0
    assert out.read_bytes().startswith(b"1\t")
    assert main(["--schema", export, "-o", str(tmp_path / "p.jsonl"), "--no-header"]) == 2
    assert capsys.readouterr().err == (
        "error: --no-header only applies to CSV and TSV files, not ndjson\n"
    )


def test_an_option_that_turns_something_off_is_named_by_its_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = str(_export(tmp_path, num_rows=2))
    assert main(["--schema", export, "-o", str(tmp_path / "p.csv"), "--no-include-nulls"]) == 2
    assert capsys.readouterr().err.startswith("error: --no-include-nulls only applies to JSON")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"num_rows": -1}, "'num_rows' must be a whole number of at least 0, got -1"),
        ({"num_rows": "10"}, "'num_rows' must be a whole number of at least 0, got '10'"),
        ({"file_format": 3}, "'file_format' must be a string, got 3"),
        ({"array": "yes"}, "'array' must be true or false, got 'yes'"),
        ({"include_header": 1}, "'include_header' must be true or false, got 1"),
        ({"line_ending": "mac"}, "'line_ending' must be \"unix\" or \"windows\", got 'mac'"),
    ],
)
def test_bad_settings_are_schema_errors(tmp_path: Path, settings: dict, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        generate(tmp_path / "x.csv", schema=str(_export(tmp_path, **settings)))
    assert str(caught.value) == f"{tmp_path / 'export.json'}: {message}"
