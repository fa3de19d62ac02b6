"""Every command against a corrupted or unusable state dir, and bad option values: one
sentence naming the file and the remedy, the right exit code, never a traceback.

Issue 8: defect 8 (`--split-size 0` raised inside an argparse type function), defect 9
(`-p ts_unit=xx` was retried three times), defect 10 (a corrupted ledger gave a raw
sqlite3.DatabaseError), defect 11 (a read-only state dir, a state dir that is a file).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mapreduce.cli import main
from mapreduce.engine.ledger import Ledger
from tests.mapreduce.unprivileged import mapreduce_bound

RUN_ID = "20260101-000000-abcd"


def one_line_error(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in text
    return lines[0]


@pytest.fixture
def words(tmp_path: Path) -> Path:
    path = tmp_path / "words.txt"
    path.write_text("a b a\nc a\n")
    return path


def command(name: str, words: Path, tmp_path: Path) -> list[str]:
    """The arguments of one command, without --state-dir."""
    return {
        "run": ["run", "word_count", str(words), "-o", str(tmp_path / "out")],
        "resume": ["resume", RUN_ID],
        "status": ["status"],
        "purge": ["purge", "--older-than", "0s"],
    }[name]


COMMANDS = ["run", "resume", "status", "purge"]


@pytest.mark.parametrize("size", ["0", "abc", "-5", "1.5.2"])
def test_a_bad_split_size_is_one_line_and_exit_2(tmp_path, words, capsys, size):
    with pytest.raises(SystemExit) as stop:
        main([*command("run", words, tmp_path), "--split-size", size, "--quiet"])
    assert stop.value.code == 2
    assert "--split-size" in one_line_error(capsys.readouterr().err)


def test_a_param_outside_its_choices_exits_2_before_any_run(tmp_path, words, capsys):
    state = tmp_path / "state"
    argv = ["run", "latest_by_key", str(words), "-o", str(tmp_path / "out"), "-p", "ts_unit=xx"]
    assert main([*argv, "--state-dir", str(state), "--quiet"]) == 2
    assert "ts_unit='xx' must be one of s, ms, us" in one_line_error(capsys.readouterr().err)
    assert not state.exists()  # no ledger opened, no run recorded, no task started
    assert not (tmp_path / "out").exists()


def _ledger(state: Path, words: Path, tmp_path: Path) -> Path:
    """A real ledger holding one finished run (its WAL folded in when it closed)."""
    argv = ["run", "word_count", str(words), "-o", str(tmp_path / "first")]
    assert main([*argv, "--state-dir", str(state), "--quiet", "--executor", "sequential"]) == 0
    return state / "ledger.sqlite3"


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(9000))


def _bad_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0:16] = b"not sqlite 3 !!\0"
    path.write_bytes(bytes(data))


def _bad_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) > 2 * page, "the ledger has a page past the schema page"
    data[page:] = b"\xa5" * (len(data) - page)  # the schema page is intact, the tables not
    path.write_bytes(bytes(data))


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "truncated": _truncated,
    "garbage": _garbage,
    "bad-header": _bad_header,
    "bad-pages": _bad_pages,
    "folder": _folder,
}


@pytest.mark.parametrize("damage", list(CORRUPTIONS))
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_on_a_corrupted_ledger_says_so_in_one_sentence(
    tmp_path, words, capsys, name, damage
):
    state = tmp_path / "state"
    ledger = _ledger(state, words, tmp_path)
    capsys.readouterr()
    CORRUPTIONS[damage](ledger)
    code = main([*command(name, words, tmp_path), "--state-dir", str(state), "--quiet"])
    error = one_line_error(capsys.readouterr().err)
    assert code == 2, error
    assert f"ledger {ledger}" in error
    assert "move it aside" in error or "another --state-dir" in error
    assert not (tmp_path / "out").exists()


def test_debug_adds_the_traceback_to_a_ledger_error(tmp_path, words, capsys):
    state = tmp_path / "state"
    _garbage(_ledger(state, words, tmp_path))
    capsys.readouterr()
    assert main(["status", "--state-dir", str(state), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "sqlite3.DatabaseError" in err
    assert err.strip().splitlines()[-1].startswith("error: ledger ")


@pytest.mark.parametrize("name", ["run", "resume"])  # status, purge: nothing recorded there
def test_a_state_dir_that_is_a_file_is_named(tmp_path, words, capsys, name):
    state = tmp_path / "in.jsonl"
    state.write_text("{}\n")
    assert main([*command(name, words, tmp_path), "--state-dir", str(state), "--quiet"]) == 2
    error = one_line_error(capsys.readouterr().err)
    assert f"state dir {state} is a file, not a folder" in error


@pytest.mark.skipif(sys.platform != "linux", reason="drops file capabilities the Linux way")
@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_state_dir_holding_a_ledger_is_one_sentence(tmp_path, words, name):
    state = tmp_path / "state"
    ledger = _ledger(state, words, tmp_path)
    state.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = mapreduce_bound(*command(name, words, tmp_path), "--state-dir", str(state))
    finally:
        state.chmod(stat.S_IRWXU)
    error = one_line_error(done.stderr)
    assert done.returncode == 2, error
    assert f"ledger {ledger}" in error and "writable" in error


@pytest.mark.skipif(sys.platform != "linux", reason="drops file capabilities the Linux way")
def test_a_state_dir_that_cannot_be_created_is_one_sentence(tmp_path, words):
    parent = tmp_path / "locked"
    parent.mkdir(mode=stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = mapreduce_bound(*command("run", words, tmp_path), "--state-dir", str(parent / "s"))
    finally:
        parent.chmod(stat.S_IRWXU)
    error = one_line_error(done.stderr)
    assert done.returncode == 2 and f"cannot create state dir {parent / 's'}" in error


def test_opening_a_missing_state_dir_to_read_creates_nothing(tmp_path):
    missing = tmp_path / "missing" / "dir"
    with pytest.raises(Exception, match="does not exist: no runs are recorded there"):
        Ledger(missing, create=False)
    assert not (tmp_path / "missing").exists()


def test_readers_do_not_wait_for_a_writer(tmp_path, words):
    state = tmp_path / "state"
    ledger = _ledger(state, words, tmp_path)
    writer = sqlite3.connect(ledger, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another coordinator mid-transaction
        with Ledger(state) as reader:
            assert [run.state for run in reader.list_runs()] == ["done"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_resume_in_a_missing_state_dir_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "missing" / "dir"
    assert main(["resume", RUN_ID, "--state-dir", str(missing), "--quiet"]) == 2
    assert f"state dir {missing} does not exist" in one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "missing").exists()
