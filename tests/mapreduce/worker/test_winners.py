"""The bulk writer of `latest` partitions: the same bytes as output() and the NDJSON writer,
for NDJSON and CSV inputs, including values the vectorised join must not spell itself."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.errors import MapReduceError
from mapreduce.formats.ndjson import dumps
from mapreduce.worker import winners
from tests.mapreduce.test_fastpath_contract import CONFIGS, assert_same, row_job, run_both

HEADER = ["id", "name", "note", "updated_at"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, end: str = "\n"):
    text = "\n".join(",".join(row) for row in [header, *rows]) + end
    path.write_text(text, encoding="utf-8")
    return path


def users(count: int, note: str = "plain") -> list[list[str]]:
    return [
        [f"{i % 97:05d}", f"name{i}", note, f"2024-01-{1 + i % 28:02d}T00:00:{i % 60:02d}Z"]
        for i in range(count)
    ]


@pytest.fixture
def spy(monkeypatch):
    """Counts the chunks the vectorised join wrote and the chunks it declined."""
    seen = {"joined": 0, "declined": 0}
    real = winners._csv_json

    def counted(header, delimiter, data, rows):
        result = real(header, delimiter, data, rows)
        seen["joined" if result is not None else "declined"] += 1
        return result

    monkeypatch.setattr(winners, "_csv_json", counted)
    return seen


def test_csv_winners_are_joined_in_bulk_byte_for_byte(tmp_path, spy):
    data = write_csv(tmp_path / "users.csv", users(2000, note="caf\u00e9 \\ back\\slash"))
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [data], CONFIGS[0]))
    assert spy["joined"] >= 1 and spy["declined"] == 0


@pytest.mark.parametrize(
    "note",
    ["tab\there", "bell\x07", "unit\x1fsep", "del\x7f", "emoji \U0001f600", ""],
)
def test_values_needing_escapes_give_the_writers_bytes(tmp_path, note):
    data = write_csv(tmp_path / "users.csv", users(300, note=note))
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [data], CONFIGS[1]))


def test_a_last_line_without_newline_and_two_headers(tmp_path):
    first = write_csv(tmp_path / "a.csv", users(500), end="")
    other = ["id", "updated_at", "city"]
    second = write_csv(
        tmp_path / "b.csv",
        [[f"{i:05d}", f"2025-02-0{1 + i % 9}T00:00:00+01:00", "Z\u00fcrich"] for i in range(80)],
        header=other,
    )
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [first, second], CONFIGS[1]))


def test_csv_json_spells_rows_as_orjson_does():
    header = ["id", 'we"ird', "name"]
    rows = [["1", "a\\b", "\u00e9"], ["2", "", "x y"]]
    data = "".join(",".join(r) + "\n" for r in rows).encode()
    joined = winners._csv_json(header, ",", data, len(rows))
    assert joined == b"".join(dumps(dict(zip(header, r, strict=True))) for r in rows)
    tabs = "".join("\t".join(r) + "\n" for r in rows).encode()
    assert winners._csv_json(header, "\t", tabs, len(rows)) == joined  # a tab is no control
    assert orjson.loads(joined.splitlines()[0]) == {"id": "1", 'we"ird': "a\\b", "name": "\u00e9"}


def test_csv_json_declines_what_it_cannot_spell():
    header = ["id", "name"]
    assert winners._csv_json(header, ",", b"1,a\tb\n", 1) is None  # a control character
    assert winners._csv_json(header, ",", b"1,a\n2\n", 2) is None  # a row of another width
    assert winners._csv_json(header, ",", b"1,a", 1) is None  # no line end: not a whole record
    assert winners._csv_json(header, ";", b"1;a\x07\n", 1) is None


def test_an_output_that_is_not_the_record_is_a_job_error(tmp_path):
    data = write_csv(tmp_path / "users.csv", users(50))
    job = tmp_path / "renamed.py"
    job.write_text(
        "from jobs.latest_by_key import LatestByKey\n\n\n"
        "class Renamed(LatestByKey):\n"
        "    def output(self, key, version):\n"
        "        return {**version[2], 'extra': 1}\n"
    )
    with pytest.raises(MapReduceError, match="batch_output = 'record'"):
        run(
            RunSpec(
                job=str(job),
                inputs=(str(data),),
                out=str(tmp_path / "o"),
                executor="sequential",
                state_dir=str(tmp_path / "s"),
            )
        )


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_ndjson_winners_with_crlf_or_no_last_newline(tmp_path, ending):
    lines = [
        f'{{"id": {i % 50}, "updated_at": "2024-01-01T00:00:{i % 60:02d}Z", "n": {i}}}'
        for i in range(400)
    ]
    data = tmp_path / "users.jsonl"
    data.write_bytes((ending.join(lines)).encode())  # the last line has no line end
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    results = run_both(tmp_path, "latest_by_key", row, [data], CONFIGS[1])
    assert_same(results)
    assert b"\r" not in b"".join(results[0][0].values())
