"""`run -o -`: the output on standard output, the summary and bad records on standard
error, nothing left behind. (`-o -` used to make a folder named "-".)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mapreduce.cli import main
from tests import oracles


@pytest.fixture
def users(tmp_path):
    return oracles.write_ndjson(tmp_path / "users.jsonl", oracles.versioned_users(count=300))


def _run(tmp_path, *args):
    state = tmp_path / "state"
    return main(["run", "latest_by_key", *args, "--state-dir", str(state), "--reducers", "3"])


def _folder_parts(tmp_path, users, *options) -> list[bytes]:
    out = tmp_path / "folder"
    assert _run(tmp_path, str(users), "-o", str(out), "--quiet", *options) == 0
    return list(oracles.part_bytes(out).values())


def test_ndjson_goes_to_stdout_and_the_summary_to_stderr(tmp_path, users, capfd, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parts = _folder_parts(tmp_path, users)
    capfd.readouterr()
    assert _run(tmp_path, str(users), "-o", "-") == 0
    got = capfd.readouterr()
    assert got.out.encode() == b"".join(parts)
    assert "records written" in got.err and "standard output" in got.err
    assert not (tmp_path / "-").exists()
    assert not any((tmp_path / "state" / "stdout").iterdir())  # its folder is removed


def test_csv_has_its_header_once(tmp_path, users, capfd):
    parts = _folder_parts(tmp_path, users, "--output-format", "csv")
    assert len(parts) == 3 and all(part.startswith(b"id,") for part in parts)
    header = parts[0][: parts[0].index(b"\n") + 1]
    capfd.readouterr()
    assert _run(tmp_path, str(users), "-o", "-", "--output-format", "csv", "--quiet") == 0
    out = capfd.readouterr().out.encode()
    assert out == header + b"".join(part[len(header) :] for part in parts)


def test_bad_records_go_to_stderr(tmp_path, capfd):
    path = tmp_path / "bad.jsonl"
    lines = ['{"id": 1, "updated_at": "2024-01-01"}', "not json", '{"id": 2, "updated_at": "2024"}']
    path.write_text("\n".join(lines) + "\n")
    assert _run(tmp_path, str(path), "-o", "-", "--skip-bad-records", "--quiet") == 0
    got = capfd.readouterr()
    assert sorted(json.loads(line)["id"] for line in got.out.splitlines()) == [1, 2]
    [reject] = got.err.splitlines()
    assert json.loads(reject)["location"] == "line 2"


def test_a_failed_run_writes_nothing_to_stdout(tmp_path, capfd):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "updated_at": "2024-01-01"}\nnot json\n')
    assert _run(tmp_path, str(path), "-o", "-", "--quiet") != 0
    got = capfd.readouterr()
    assert got.out == ""
    assert "bad.jsonl line 2" in got.err
    assert not any((tmp_path / "state" / "stdout").iterdir())


def test_parquet_is_refused(tmp_path, users, capfd):
    assert _run(tmp_path, str(users), "-o", "-", "--output-format", "parquet") == 2
    assert "Parquet parts cannot be joined" in capfd.readouterr().err


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, users):
    """`| head`: exit 141 (SIGPIPE's), no traceback, no folder left."""
    big = oracles.write_ndjson(tmp_path / "big.jsonl", oracles.versioned_users(20_000, 20_000))
    state = tmp_path / "state"
    command = [sys.executable, "-m", "mapreduce", "run", "latest_by_key", str(big), "-o", "-"]
    proc = subprocess.Popen(
        [*command, "--state-dir", str(state), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(60) == 141, err
    assert err == b""
    assert not any((state / "stdout").iterdir())
