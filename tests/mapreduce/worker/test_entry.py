"""The map task entry point over packed small files (engine.planner.pack_splits): one task
reads several files, on the fast path, the row path or both, and its output, bad-record
locations and resumes are those of one task per file."""

from __future__ import annotations

import gzip
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from mapreduce.cli import main
from tests import oracles

ROW_WORD_COUNT = """
import re
from mapreduce import Job

WORD = re.compile(r"[\\w']+")

class RowWordCount(Job):
    def map(self, line):
        for word in WORD.findall(line.lower()):
            yield word, 1

    def merge(self, a, b):
        return a + b

    def output(self, word, count):
        return {"word": word, "count": count}
"""


ROWS_PER_COUNTRY = """
import numpy as np
from mapreduce import Job

class RowsPerCountry(Job):
    fields = {"country": str}
    batch_merge = "sum"

    def map(self, record):
        yield record["country"], 1

    def map_batch(self, batch):
        keys = batch.keys("country")
        return None if keys is None else {"key": keys, "value": np.ones(len(keys), np.int64)}

    def merge(self, a, b):
        return a + b
"""


def _run(job, inputs, out, state, *extra):
    argv = ["run", str(job), *map(str, inputs), "-o", str(out), "--quiet"]
    return main([*argv, "--state-dir", str(state), "--reducers", "2", *extra])


def _counters(out: Path) -> dict[str, int]:
    return json.loads((out / "_SUCCESS").read_text())["counters"]


def _users_in_files(folder: Path, count: int) -> tuple[list[Path], list[dict]]:
    """Versioned users cut into `count` NDJSON files (every third one gzipped), so a key's
    versions and ties span files."""
    records = oracles.versioned_users(count=900, keys=60)
    chunk = -(-len(records) // count)
    paths = []
    for i in range(count):
        lines = "".join(json.dumps(r) + "\n" for r in records[i * chunk : (i + 1) * chunk])
        if i % 3 == 1:
            path = folder / f"u{i:02d}.jsonl.gz"
            path.write_bytes(gzip.compress(lines.encode()))
        else:
            path = folder / f"u{i:02d}.jsonl"
            path.write_text(lines)
        paths.append(path)
    return paths, records


@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_packed_files_give_the_parts_of_one_task_per_split(tmp_path, executor):
    paths, records = _users_in_files(tmp_path, 12)
    packed, cut = tmp_path / "packed", tmp_path / "cut"
    common = ("--executor", executor, "--workers", "2")
    assert _run("latest_by_key", paths, packed, tmp_path / "s1", *common) == 0
    # a split size below every file's cuts each in several splits: nothing is packed
    assert _run("latest_by_key", paths, cut, tmp_path / "s2", *common, "--split-size", "700") == 0
    assert _counters(packed)["map_tasks"] == 1  # 12 files, the gzipped ones on the row path
    assert _counters(cut)["map_tasks"] > 24
    assert oracles.part_bytes(packed) == oracles.part_bytes(cut)
    expected = oracles.latest_by_key(records)
    got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(packed)}
    assert got == expected


def test_packed_text_files_count_as_one_file_would(tmp_path):
    lines = oracles.text_lines(count=600)
    paths = []
    for i in range(20):
        path = tmp_path / f"t{i:02d}.txt"
        text = "".join(line + "\n" for line in lines[i * 30 : (i + 1) * 30])
        # a file without its last line break is mapped alone: joined to the next file's
        # bytes, its last line would run into that file's first
        path.write_text(text.removesuffix("\n") if i in (4, 19) else text)
        paths.append(path)
    job = tmp_path / "row_word_count.py"
    job.write_text(ROW_WORD_COUNT)
    for name, runner in [("fast", "word_count"), ("row", job)]:
        out = tmp_path / name
        assert _run(runner, paths, out, tmp_path / f"state-{name}") == 0
        assert _counters(out)["map_tasks"] == 1
        counts = {r["word"]: r["count"] for r in oracles.read_parts(out)}
        assert counts == oracles.word_count(lines)
    assert oracles.part_bytes(tmp_path / "fast") == oracles.part_bytes(tmp_path / "row")


@pytest.mark.parametrize("job", ["latest_by_key", "row"])
def test_a_bad_record_in_a_packed_file_names_that_file_and_line(tmp_path, capsys, job):
    good = '{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}\n'
    paths = [tmp_path / f"{name}.jsonl" for name in "abc"]
    paths[0].write_text(good * 3)
    paths[1].write_text(good * 2)
    paths[2].write_text(good + good + '{"id": 2, "updated_at": "tuesday"}\n' + good)
    if job == "row":
        runner = tmp_path / "row_latest.py"
        runner.write_text(
            "from jobs.latest_by_key import LatestByKey\n\n"
            "class RowLatest(LatestByKey):\n"
            "    def map_batch(self, batch):\n"
            "        return None\n"
        )
    else:
        runner = Path(job)
    assert _run(runner, paths, tmp_path / "out", tmp_path / "state") == 1
    error = capsys.readouterr().err
    assert f"{paths[2]} line 3: " in error and "tuesday" in error
    out = tmp_path / "skipped"
    assert _run(runner, paths, out, tmp_path / "state", "--skip-bad-records") == 0
    [reject] = [json.loads(line) for line in (out / "_rejects.jsonl").read_text().splitlines()]
    assert (reject["file"], reject["location"]) == (str(paths[2]), "line 3")
    assert _counters(out)["map_tasks"] == 1 and _counters(out)["bad_records"] == 1


def test_a_run_planned_one_task_per_file_is_not_resumed_packed(tmp_path, capsys, monkeypatch):
    paths, _ = _users_in_files(tmp_path, 4)
    state = tmp_path / "state"
    monkeypatch.setenv("MAPREDUCE_FAULTS", "reduce:0:raise")
    argv = ("--executor", "sequential", "--max-attempts", "1")
    assert _run("latest_by_key", paths, tmp_path / "out", state, *argv) == 1
    monkeypatch.delenv("MAPREDUCE_FAULTS")
    with closing(sqlite3.connect(state / "ledger.sqlite3")) as conn, conn:
        (run_id, config) = conn.execute("SELECT run_id, config FROM runs").fetchone()
        older = {k: v for k, v in json.loads(config).items() if k != "plan"}
        conn.execute("UPDATE runs SET config = ?", (json.dumps(older),))
    capsys.readouterr()
    assert main(["resume", run_id, "--state-dir", str(state), "--quiet"]) != 0
    assert "plan changed (None → 'small files packed, 40-bit offsets')" in capsys.readouterr().err


def test_a_failing_packed_task_names_its_files(tmp_path, capsys):
    paths = [tmp_path / f"{name}.jsonl" for name in "abc"]
    for path in paths:
        path.write_text('{"id": 1}\n')
    job = tmp_path / "broken.py"
    job.write_text(
        "from mapreduce import Job\n\n"
        "class Broken(Job):\n"
        "    def map(self, record):\n"
        "        raise OSError('the disk is on fire')\n\n"
        "    def merge(self, a, b):\n"
        "        return a\n"
    )
    assert _run(job, paths, tmp_path / "out", tmp_path / "state", "--max-attempts", "1") == 1
    error = capsys.readouterr().err
    assert f"(map 1 of 1, 3 files, {paths[0]} to {paths[2]}) failed after 1 attempt" in error


def test_a_joined_batch_map_batch_declines_is_read_file_by_file(tmp_path, capsys):
    paths = []
    for i in range(6):
        path = tmp_path / f"n{i}.txt"
        path.write_text("1\n2.5\n-3\n" + ("x7\n" if i == 3 else "") + "4\n")
        paths.append(path)
    assert _run("sum_numbers", paths, tmp_path / "out", tmp_path / "state") == 1
    error = capsys.readouterr().err
    assert f"{paths[3]} line 4: 'x7' is not a number" in error
    out = tmp_path / "skipped"
    assert _run("sum_numbers", paths, out, tmp_path / "state", "--skip-bad-records") == 0
    [row] = oracles.read_parts(out)
    assert row == {"count": 24, "sum": 6 * 4.5}
    [reject] = [json.loads(line) for line in (out / "_rejects.jsonl").read_text().splitlines()]
    assert (reject["file"], reject["location"]) == (str(paths[3]), "line 4")


def test_latest_by_key_over_more_than_32768_files(tmp_path):
    """The 32,769th file's positions overflowed the fast path's int64 columns (file index
    << 48): every task reading it failed. 33,000 files of one record each."""
    folder = tmp_path / "in"
    folder.mkdir()
    best: dict[int, tuple[int, int]] = {}
    for i in range(33_000):
        key, second = i % 100, i % 60
        record = {"id": key, "updated_at": f"2024-01-01T00:00:{second:02d}Z", "n": i}
        (folder / f"u{i:05d}.jsonl").write_text(json.dumps(record) + "\n")
        best[key] = max(best.get(key, (-1, -1)), (second, i))
    out = tmp_path / "out"
    assert _run("latest_by_key", [folder], out, tmp_path / "state", "--executor", "sequential") == 0
    assert {r["id"]: r["n"] for r in oracles.read_parts(out)} == {
        k: n for k, (_, n) in best.items()
    }


def test_packed_csv_files_are_joined_by_header_and_give_the_parts_of_one_file(tmp_path):
    """CSV files of one header are read end to end, each without its header; a file of
    another header, one with a BOM and one with quotes (the row path) in between."""
    names = ["id", "country", "amount", "updated_at"]
    rows = [
        [
            str(i % 17),
            ["DE", "FR", "US"][i % 3],
            f"{i * 1.25:.2f}",
            f"2024-01-01T00:{i % 60:02d}:00Z",
        ]
        for i in range(400)
    ]
    paths = []
    for i in range(20):
        order = names[::-1] if i == 7 else names  # another header: the columns reversed
        lines = [order] + [row[::-1] if i == 7 else row for row in rows[i * 20 : (i + 1) * 20]]
        text = "".join(",".join(line) + "\n" for line in lines)
        if i == 11:
            text = text.replace(",FR,", ',"F""R",', 1)
        path = tmp_path / f"o{i:02d}.csv"
        path.write_bytes((b"\xef\xbb\xbf" if i == 13 else b"") + text.encode())
        paths.append(path)
    counting = tmp_path / "rows_per_country.py"
    counting.write_text(ROWS_PER_COUNTRY)  # takes any text: a header read as a row shows
    jobs = [("latest_by_key", ()), ("group_aggregate", ("-p", "by=country")), (counting, ())]
    for job, params in jobs:
        packed, cut = tmp_path / f"{Path(job).stem}-packed", tmp_path / f"{Path(job).stem}-cut"
        assert _run(job, paths, packed, tmp_path / "s1", *params) == 0
        assert _run(job, paths, cut, tmp_path / "s2", *params, "--split-size", "300") == 0
        assert _counters(packed)["map_tasks"] == 1 and _counters(cut)["map_tasks"] > 40
        assert oracles.part_bytes(packed) == oracles.part_bytes(cut)
    records = [dict(zip(names, row, strict=True)) for row in rows]
    records[11 * 20 + [r[1] for r in rows[220:240]].index("FR")]["country"] = 'F"R'
    expected = oracles.latest_by_key(records)
    got = {
        oracles.key_token(r["id"]): r for r in oracles.read_parts(tmp_path / "latest_by_key-packed")
    }
    assert got == expected
