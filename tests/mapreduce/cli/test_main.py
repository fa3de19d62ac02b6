"""The command line: bad input and bad usage give one sentence, the right exit code,
and leave OUT untouched; skipping bad records writes _rejects.jsonl."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mapreduce.cli import main
from mapreduce.cli.args import parse_size
from mapreduce.engine.ledger import Ledger
from tests import oracles


@pytest.fixture
def users(tmp_path):
    return oracles.write_ndjson(tmp_path / "users.jsonl", oracles.versioned_users(count=50))


def cli(tmp_path, *args):
    return main([*args, "--state-dir", str(tmp_path / "state"), "--quiet"])


def one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ")
    return err[0]


def test_run_writes_parts_and_success(tmp_path, users, capsys):
    argv = ["run", "latest_by_key", str(users), "-o", str(tmp_path / "out")]
    assert main([*argv, "--state-dir", str(tmp_path / "state")]) == 0
    out = capsys.readouterr().out
    assert "records read" in out and "records written" in out
    success = json.loads((tmp_path / "out" / "_SUCCESS").read_text())
    assert success["counters"]["records_read"] == 50
    assert success["job"] == "LatestByKey"


def test_bad_json_stops_the_job_naming_file_and_line(tmp_path, users, capsys):
    lines = users.read_text().splitlines()
    lines[6] = '{"id": 1, "updated_at": '
    users.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(out)) == 1
    error = one_line_error(capsys)
    assert f"{users} line 7: invalid JSON" in error
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_job_leaves_an_existing_out_as_it_was(tmp_path, users, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    users.write_text(users.read_text() + '{"id": 3}\n')
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(out), "--overwrite") == 1
    error = one_line_error(capsys)
    assert "line 51: missing field 'updated_at'" in error
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_unparseable_timestamp_is_a_bad_record(tmp_path, users, capsys):
    users.write_text('{"id": 1, "updated_at": "last tuesday"}\n' + users.read_text())
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(tmp_path / "o")) == 1
    assert "line 1: ValueError: timestamp 'last tuesday' is neither ISO-8601" in one_line_error(
        capsys
    )


def test_skip_bad_records_logs_rejects_and_succeeds(tmp_path, users, capsys):
    users.write_text('not json\n{"id": 2}\n' + users.read_text() + '{"x": 1}\n')
    out = tmp_path / "out"
    assert (
        cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(out), "--skip-bad-records") == 0
    )
    rejects = [json.loads(line) for line in (out / "_rejects.jsonl").read_text().splitlines()]
    assert [(r["location"], r["reason"][:14]) for r in rejects] == [
        ("line 1", "invalid JSON: "),
        ("line 2", "missing field "),
        ("line 53", "missing field "),
    ]
    assert all(r["file"] == str(users) for r in rejects)
    assert json.loads((out / "_SUCCESS").read_text())["counters"]["bad_records"] == 3


def test_max_bad_records(tmp_path, users, capsys):
    users.write_text("x\ny\nz\n" + users.read_text())
    out = tmp_path / "out"
    code = cli(
        tmp_path,
        "run",
        "latest_by_key",
        str(users),
        "-o",
        str(out),
        "--skip-bad-records",
        "--max-bad-records",
        "2",
    )
    assert code == 1
    assert "more than 2 bad records" in one_line_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["latest_by_key", "{tmp}/missing.jsonl"], "missing.jsonl"),
        ("emptydir", ["latest_by_key", "{tmp}/empty"], "empty"),
        (None, ["{tmp}/nojob.py", "{users}"], "cannot read job file"),
        ("syntax", ["{tmp}/bad.py", "{users}"], "line 1: syntax error"),
        (None, ["latest_by_key", "{users}", "-p", "colour=red"], "unknown parameter 'colour'"),
        ("outfull", ["latest_by_key", "{users}"], "exists and is not empty; pass --overwrite"),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(tmp_path, users, capsys, setup, args, message):
    if setup == "emptydir":
        (tmp_path / "empty").mkdir()
    if setup == "syntax":
        (tmp_path / "bad.py").write_text("def (:\n")
    out = tmp_path / "out"
    if setup == "outfull":
        out.mkdir()
        (out / "x").write_text("x")
    argv = [a.format(tmp=tmp_path, users=users) for a in args]
    assert cli(tmp_path, "run", *argv, "-o", str(out)) == 2
    assert message in one_line_error(capsys)
    if setup != "outfull":
        assert not out.exists()


def test_debug_adds_the_traceback(tmp_path, users, capsys):
    users.write_text("oops\n")
    code = main(
        [
            "run",
            "latest_by_key",
            str(users),
            "-o",
            str(tmp_path / "o"),
            "--state-dir",
            str(tmp_path / "s"),
            "--quiet",
            "--debug",
        ]
    )
    assert code == 1
    assert "Traceback" in capsys.readouterr().err


def test_run_job_help_lists_parameters(capsys):
    with pytest.raises(SystemExit):
        main(["run", "latest_by_key", "--help"])
    out = capsys.readouterr().out
    assert "job LatestByKey" in out and "ts_unit" in out and "default 'updated_at'" in out
    assert "unit of epoch-number timestamps (one of s, ms, us)" in out
    with pytest.raises(SystemExit):
        main(["run", "top_n", "--help"])
    assert "how many to keep (at least 1)" in capsys.readouterr().out


def test_module_entry_point_and_fresh_process_determinism(tmp_path, users):
    outputs = []
    for seed in ("11", "12"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mapreduce",
                "run",
                "latest_by_key",
                str(users),
                str(users),
                "-o",
                str(out),
                "--quiet",
                "--state-dir",
                str(tmp_path / "s"),
                "--reducers",
                "3",
                "--split-size",
                "300",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(oracles.part_bytes(out))
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3


@pytest.mark.parametrize(
    ("text", "size"),
    [("64MiB", 64 << 20), ("10MB", 10**7), ("512k", 512000), ("1", 1), ("1.5GiB", 3 << 29)],
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_output_formats(tmp_path, fmt):
    import csv

    import pyarrow.parquet as pq

    lines = oracles.text_lines()
    corpus = tmp_path / "words.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert (
        cli(
            tmp_path,
            "run",
            "word_count",
            str(corpus),
            "-o",
            str(out),
            "--output-format",
            fmt,
            "--reducers",
            "2",
        )
        == 0
    )
    parts = sorted(out.glob(f"part-*.{fmt}"))
    assert len(parts) == 2
    got = {}
    for part in parts:
        if fmt == "csv":
            with open(part, newline="", encoding="utf-8") as handle:
                got.update({row["word"]: int(row["count"]) for row in csv.DictReader(handle)})
        else:
            got.update({r["word"]: r["count"] for r in pq.read_table(part).to_pylist()})
    assert got == oracles.word_count(lines)


def test_directories_globs_and_gzip_inputs(tmp_path):
    import gzip

    users = oracles.versioned_users(count=300)
    folder = tmp_path / "in"
    folder.mkdir()
    oracles.write_ndjson(folder / "a.jsonl", users[:100])
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(u, ensure_ascii=False) + "\n" for u in users[100:200])
    oracles.write_ndjson(tmp_path / "c.jsonl", users[200:])
    out = tmp_path / "out"
    assert (
        cli(
            tmp_path,
            "run",
            "latest_by_key",
            str(folder),
            str(tmp_path / "c.*"),
            "-o",
            str(out),
            "--split-size",
            "700",
        )
        == 0
    )
    got = {oracles.key_token(r["id"]): r for r in oracles.read_parts(out)}
    assert got == oracles.latest_by_key(users)


def test_many_bad_records_get_their_own_lines(tmp_path, capsys):
    lines = []
    for i in range(3000):
        lines.append(f'{{"id": {i}, "updated_at": "2024-01-01T00:00:00Z"}}' if i % 3 else "{bad")
    path = tmp_path / "dirty.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert (
        cli(
            tmp_path,
            "run",
            "latest_by_key",
            str(path),
            "-o",
            str(out),
            "--skip-bad-records",
            "--split-size",
            "9000",
        )
        == 0
    )
    rejects = [json.loads(line) for line in (out / "_rejects.jsonl").read_text().splitlines()]
    assert [r["location"] for r in rejects] == [f"line {i + 1}" for i in range(0, 3000, 3)]


def test_quiet_is_silent_on_success(tmp_path, users, capsys):
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(tmp_path / "out")) == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "out" / "_SUCCESS").exists()


def test_a_failed_run_names_its_id(tmp_path, users, capsys):
    users.write_text(users.read_text() + '{"id": 3, "updated_at": "never"}\n')
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(tmp_path / "out")) == 1
    error = one_line_error(capsys)
    with Ledger(str(tmp_path / "state")) as ledger:
        [info] = ledger.list_runs()
    assert info.state == "failed"
    assert error.endswith(f"(run {info.run_id}; `mapreduce status {info.run_id}` shows its tasks)")


def test_an_error_before_the_run_is_recorded_names_no_run(tmp_path, users, capsys):
    out = tmp_path / "out"
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(out)) == 0
    argv = ["run", "latest_by_key", str(users), "-o", str(out), "--overwrite", "-p", "nope=1"]
    assert cli(tmp_path, *argv) == 2
    error = one_line_error(capsys)
    assert "nope" in error and "(run " not in error


def test_a_run_refused_before_planning_names_no_run(tmp_path, users, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("old")
    assert cli(tmp_path, "run", "latest_by_key", str(users), "-o", str(tmp_path / "out")) == 2
    error = one_line_error(capsys)
    assert "pass --overwrite" in error and "(run " not in error


def test_status_and_purge_do_not_create_the_state_dir(tmp_path, capsys):
    state = str(tmp_path / "state")
    assert main(["status", "--state-dir", state]) == 0
    assert capsys.readouterr().out == "no runs yet\n"
    assert main(["purge", "--older-than", "1d", "--state-dir", state]) == 0
    assert capsys.readouterr().out == "purged 0 runs (0 tasks), freed 0 B\n"
    assert main(["status", "20261118-110640-7f3a", "--state-dir", state]) == 2
    assert "no run 20261118-110640-7f3a" in one_line_error(capsys)
    assert not (tmp_path / "state").exists()


def test_success_records_every_parameter_defaults_included(tmp_path, users):
    argv = ["run", "latest_by_key", str(users), "-o", str(tmp_path / "out"), "-p", "key=id"]
    assert cli(tmp_path, *argv) == 0
    success = json.loads((tmp_path / "out" / "_SUCCESS").read_text())
    assert success["parameters"] == {"key": "id", "ts": "updated_at", "ts_unit": "s"}


def test_another_input_into_the_same_out_says_the_old_one_is_no_longer_an_input(
    tmp_path, users, capsys
):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "updated_at": "never"}\n')
    out = str(tmp_path / "out")
    argv = ["run", "latest_by_key", "-o", out, "--state-dir", str(tmp_path / "state")]
    assert main([argv[0], argv[1], str(bad), *argv[2:]]) == 1
    capsys.readouterr()
    assert main([argv[0], argv[1], str(users), *argv[2:]]) == 0
    err = capsys.readouterr().err
    assert f"input {bad} is no longer among the inputs" in err
    assert f"input {users} was added" in err


NOT_PAIRS = """
from mapreduce import Job

class NotPairs(Job):
    def map(self, record):
        yield record["id"]

    def merge(self, a, b):
        return a
"""


def test_a_map_that_yields_no_pairs_is_a_job_error_not_a_bad_record(tmp_path, users, capsys):
    job = tmp_path / "not_pairs.py"
    job.write_text(NOT_PAIRS)
    argv = ["run", str(job), str(users), "-o", str(tmp_path / "out"), "--skip-bad-records"]
    assert cli(tmp_path, *argv) == 1
    error = one_line_error(capsys)
    assert "map() must yield (key, value) pairs" in error
    assert "skip-bad-records" not in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_records_read_counts_the_lines_the_reader_refused(tmp_path, capsys, executor):
    good = '{"id":%d,"updated_at":"2024-01-01T00:00:00Z"}\n'
    lines = [good % 1, '{"updated_at":"2024-01-01T00:00:00Z"}\n', good % 3, "not json\n"]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(lines))  # 4 records: one map() refuses, one is not JSON
    out = tmp_path / "out"
    argv = ["run", "latest_by_key", str(data), "-o", str(out), "--executor", executor]
    assert cli(tmp_path, *argv, "--skip-bad-records") == 0
    printed = capsys.readouterr()
    assert "warning: 2 of 4 records were bad and skipped" in printed.err
    success = json.loads((out / "_SUCCESS").read_text())
    assert success["counters"]["records_read"] == 4
    assert success["counters"]["bad_records"] == 2


@pytest.mark.parametrize(("key", "warned"), [("uid", True), ("id", False)])
def test_skipping_most_records_warns_even_when_quiet(tmp_path, users, capsys, key, warned):
    out = tmp_path / "out"
    argv = ["run", "latest_by_key", str(users), "-o", str(out), "-p", f"key={key}"]
    assert cli(tmp_path, *argv, "--skip-bad-records") == 0
    err = capsys.readouterr().err
    assert ("warning: 50 of 50 records were bad and skipped" in err) is warned
    assert (f"{out}/_rejects.jsonl says why" in err) is warned


def test_no_warning_when_max_bad_records_allows_them(tmp_path, users, capsys):
    argv = ["run", "latest_by_key", str(users), "-o", str(tmp_path / "out"), "-p", "key=uid"]
    assert cli(tmp_path, *argv, "--skip-bad-records", "--max-bad-records", "100") == 0
    assert capsys.readouterr().err == ""


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("mapreduce ")


@pytest.mark.parametrize("command", [["status"], ["purge", "--older-than", "1d"]])
def test_status_and_purge_on_a_state_dir_that_is_a_file_say_so(tmp_path, capsys, command):
    state = tmp_path / "in.jsonl"
    state.write_text("{}\n")
    assert main([*command, "--state-dir", str(state)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: state dir {state} is a file, not a folder; pass another --state-dir\n"


def test_csv_output_writes_integers_beyond_64_bits_exactly(tmp_path):
    data = tmp_path / "n.txt"
    data.write_text("18446744073709551617\n18446744073709551618\n")
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "sum_numbers",
            str(data),
            "-o",
            str(out),
            "--output-format",
            "csv",
            "--quiet",
            "--state-dir",
            str(tmp_path / "s"),
            "--reducers",
            "1",
        ]
    )
    assert code == 0
    assert "36893488147419103235" in (out / "part-00000.csv").read_text()


def test_a_refused_output_records_no_run(tmp_path, capsys):
    # issue 12: a run refused before any work stayed in `status` (as running 0/0, then failed 0/0).
    data = tmp_path / "a.jsonl"
    data.write_text('{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}\n')
    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("keep")
    state = str(tmp_path / "s")
    assert main(["run", "latest_by_key", str(data), "-o", str(out), "--state-dir", state]) == 2
    capsys.readouterr()
    assert main(["status", "--state-dir", state]) == 0
    assert "latest" not in capsys.readouterr().out.lower()


def test_the_command_flushes_its_output_and_runs_atexit_handlers(tmp_path, users):
    """The command skips the interpreter's teardown, never what a job or the run left to
    do at exit: a piped summary arrives whole, and a job's atexit handler runs."""
    marker = tmp_path / "atexit-ran"
    job = tmp_path / "counting.py"
    job.write_text(
        "import atexit, pathlib\n"
        "from jobs.word_count import WordCount\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "class Counting(WordCount):\n"
        "    pass\n"
    )
    lines = tmp_path / "words.txt"
    lines.write_text("a b a\n" * 10)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapreduce",
            "run",
            str(job),
            str(lines),
            "-o",
            str(tmp_path / "out"),
            "--state-dir",
            str(tmp_path / "s"),
            "--executor",
            "sequential",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "records written" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("time total")
    assert marker.read_text() == "yes"


DICT_KEY = """
from mapreduce import Job

class DictKey(Job):
    def map(self, record):
        yield {"id": record["id"]}, 1

    def merge(self, a, b):
        return a + b
"""


def test_a_key_that_cannot_be_one_is_named_itself(tmp_path, users, capsys):
    """The message said 'must yield (key, value) pairs' and showed the pairs' tuple, though
    the job yielded pairs and only the key was wrong."""
    job = tmp_path / "dict_key.py"
    job.write_text(DICT_KEY)
    argv = ["run", str(job), str(users), "-o", str(tmp_path / "out")]
    assert cli(tmp_path, *argv) == 1
    error = one_line_error(capsys)
    assert "map() yielded a key that cannot be one: {'id': " in error
    assert "(a key cannot be a JSON object (dict); pick a field or a tuple of fields)" in error
    assert "must yield (key, value) pairs" not in error


def test_a_missing_field_names_the_records_fields_and_the_parameter(tmp_path, capsys):
    """A CSV whose key column is user_id failed with "missing field 'id' (pass
    --skip-bad-records ...)", a remedy that drops every record."""
    data = tmp_path / "users.csv"
    data.write_text("user_id,modified\n1,2024-01-01T00:00:00Z\n")
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(tmp_path / "out")) == 1
    error = one_line_error(capsys)
    assert (
        f"{data} line 2: missing field 'id'; the record has user_id, modified, and -p key=FIELD "
        "names another field (pass --skip-bad-records to skip bad records)"
    ) in error
    argv = ["-p", "key=user_id", "-p", "ts=modified"]
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(tmp_path / "o2"), *argv) == 0
    wide = tmp_path / "wide.jsonl"
    wide.write_text(json.dumps({f"f{i}": i for i in range(12)}) + "\n")
    assert cli(tmp_path, "run", "latest_by_key", str(wide), "-o", str(tmp_path / "o3")) == 1
    assert "; the record has f0, f1, f2, f3, f4, f5, f6, f7, ..., and -p key=" in one_line_error(
        capsys
    )


@pytest.mark.parametrize(
    ("job", "params"),
    [
        ("latest_by_key", ()),
        ("group_aggregate", ()),
        ("word_count", ("-p", "field=text")),
    ],
)
def test_a_job_of_records_on_a_text_file_says_the_lines_have_no_fields(
    tmp_path, capsys, job, params
):
    """latest_by_key failed as 'KeyError: 'id' (a bug in the job; not retried)' (its
    map_batch asked a text block for a column); the others offered --skip-bad-records, a
    remedy that drops every line."""
    data = tmp_path / "notes.txt"
    data.write_text("hello world\nfoo bar\n")
    argv = ["run", job, str(data), "-o", str(tmp_path / "out"), *params]
    assert cli(tmp_path, *argv) == 1
    error = one_line_error(capsys)
    assert (
        f"{data} line 1: record is a str, not an object; a line of a text file has no fields: "
        "this job reads JSON, CSV or Parquet records (--input-format names the format when "
        "the file's extension does not)"
    ) in error
    assert "skip-bad-records" not in error and "bug in the job" not in error


def test_a_json_string_record_keeps_the_skip_remedy(tmp_path, capsys):
    """Only a text file's lines all lack fields; one stray JSON string is a bad record."""
    data = tmp_path / "users.jsonl"
    data.write_text('"a stray string"\n{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}\n')
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(tmp_path / "out")) == 1
    error = one_line_error(capsys)
    assert f"{data} line 1: record is a str, not an object (pass --skip-bad-records" in error


def test_a_state_dir_inside_the_output_is_refused_before_anything_is_written(tmp_path, capsys):
    """The ledger was created inside OUT: the first run then failed with 'output
    directory exists and is not empty', and with --overwrite the commit replaced OUT and
    deleted the ledger with every run it held (status: 'no runs yet')."""
    data = tmp_path / "notes.txt"
    data.write_text("hello world\n")
    out = tmp_path / "out"
    for extra in ([], ["--overwrite"]):
        argv = ["run", "word_count", str(data), "-o", str(out), "--state-dir", str(out / "st")]
        assert main([*argv, "--quiet", *extra]) == 2
        error = one_line_error(capsys)
        assert f"state dir {out / 'st'} lies inside the output {out}" in error
        assert not out.exists()


def test_formats_take_the_extensions_spelling(tmp_path):
    """`--input-format jsonl` was refused ('invalid choice') though .jsonl is the extension."""
    records = tmp_path / "users.data"
    oracles.write_ndjson(records, oracles.versioned_users(count=20))
    out = tmp_path / "out"
    argv = ["run", "latest_by_key", str(records), "-o", str(out)]
    assert cli(tmp_path, *argv, "--input-format", "JSONL", "--output-format", "jsonl") == 0
    assert oracles.part_bytes(out)


def test_tsv_and_delimiter_flag_read_separated_fields(tmp_path, capsys):
    """A .tsv file was 'cannot tell the format', and a ';' file one column whose error
    said only 'missing field id'; now the one names its delimiter by extension, the
    other by --delimiter, and the error of a ';' file read with commas names the flag."""
    rows = ["id;updated_at;name", "1;2024-01-01;a", "1;2024-02-01;b", "2;2024-01-01;c"]
    semi = tmp_path / "users.csv"
    semi.write_text("\n".join(rows) + "\n")
    tabs = tmp_path / "users.tsv"
    tabs.write_text("\n".join(rows).replace(";", "\t") + "\n")
    expected = [
        {"id": "1", "updated_at": "2024-02-01", "name": "b"},
        {"id": "2", "updated_at": "2024-01-01", "name": "c"},
    ]
    for name, data, flags in (
        ("tsv", tabs, ()),
        ("semicolon", semi, ("--delimiter", ";")),
        ("named", semi, ("--delimiter", "semicolon")),
    ):
        out = tmp_path / name
        argv = ["run", "latest_by_key", str(data), "-o", str(out), "--reducers", "1", *flags]
        assert cli(tmp_path, *argv) == 0, name
        lines = (out / "part-00000.jsonl").read_text().splitlines()
        assert [json.loads(line) for line in lines] == expected, name
    assert cli(tmp_path, "run", "latest_by_key", str(semi), "-o", str(tmp_path / "o")) == 1
    assert (
        "the record has one field, 'id;updated_at;name': if the file's fields are separated "
        "by ';', pass --delimiter ';'"
    ) in one_line_error(capsys)
    argv = ["run", "latest_by_key", str(semi), "-o", str(tmp_path / "o2"), "--delimiter", ";;"]
    with pytest.raises(SystemExit) as exited:
        cli(tmp_path, *argv)
    assert exited.value.code == 2
    assert "delimiter ';;' is not one ASCII character" in capsys.readouterr().err


def test_a_pretty_printed_json_value_is_named_as_such(tmp_path, capsys):
    """One object over several lines in a .json file (read as NDJSON) failed with only
    'line 1: invalid JSON: the value ends before it is complete'."""
    data = tmp_path / "obj.json"
    data.write_text(json.dumps({"id": 1, "updated_at": "2024-01-01"}, indent=2) + "\n")
    assert cli(tmp_path, "run", "latest_by_key", str(data), "-o", str(tmp_path / "out")) == 1
    assert (
        "obj.json line 1: invalid JSON: the value ends before it is complete; a value spread "
        "over lines (pretty-printed JSON) is not NDJSON"
    ) in one_line_error(capsys)
    late = tmp_path / "late.jsonl"
    late.write_text('{"id": 1, "updated_at": "2024"}\n{"id": 2,\n')
    assert cli(tmp_path, "run", "latest_by_key", str(late), "-o", str(tmp_path / "o2")) == 1
    assert "pretty-printed" not in one_line_error(capsys)  # not a first line: no such guess
    argv = ["run", "latest_by_key", str(data), "-o", str(tmp_path / "o3"), "--skip-bad-records"]
    cli(tmp_path, *argv)
    first = (tmp_path / "o3" / "_rejects.jsonl").read_text().splitlines()[0]
    assert json.loads(first)["reason"] == "invalid JSON: the value ends before it is complete"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("latin.csv", b"id,updated_at,name\n1,2024-01-01,Caf\xe9\n"),
        ("latin.jsonl", b'{"id": 1, "updated_at": "2024-01-01", "name": "Caf\xe9"}\n'),
    ],
)
def test_invalid_utf8_names_the_encoding_remedy(tmp_path, capsys, name, data):
    """A Windows-1252 file failed with only 'invalid UTF-8 ...', and offered to skip every
    record with an accent."""
    path = tmp_path / name
    path.write_bytes(data)
    assert cli(tmp_path, "run", "latest_by_key", str(path), "-o", str(tmp_path / "out")) == 1
    error = one_line_error(capsys)
    assert f"{name} line " in error and "invalid UTF-8" in error
    assert "a file in another encoding (Windows-1252 or Latin-1" in error
    assert "iconv -f cp1252 -t utf-8" in error
