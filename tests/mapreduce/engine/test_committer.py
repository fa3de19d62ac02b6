"""OUT may never be, hold, or lie inside an input, symlinks resolved, checked before
anything is deleted.

Issue 8, defect 1: `run word_count d -o d --overwrite` deleted the input d/a.txt, and with
`-o d/out` a second --overwrite run counted the first one's part files as input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapreduce.cli import main
from mapreduce.engine.committer import check_apart
from mapreduce.errors import OutputError
from mapreduce.formats.listing import list_inputs


def cli(tmp_path: Path, *args: str) -> int:
    return main([*args, "--state-dir", str(tmp_path / "state"), "--quiet"])


@pytest.fixture
def d(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_text("a b a\n")
    return folder


def error_of(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_out_that_is_the_input_folder_is_refused_and_the_input_kept(tmp_path, d, capsys):
    assert cli(tmp_path, "run", "word_count", str(d), "-o", str(d), "--overwrite") == 2
    assert f"output {d} is the input {d}" in error_of(capsys)
    assert (d / "a.txt").read_text() == "a b a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # not even a ledger opened


def test_out_inside_an_input_folder_is_refused_from_the_first_run(tmp_path, d, capsys):
    out = d / "out"
    assert cli(tmp_path, "run", "word_count", str(d), "-o", str(out)) == 2
    assert f"output {out} lies inside the input {d}" in error_of(capsys)
    assert not out.exists()


def test_out_holding_an_input_file_is_refused(tmp_path, d, capsys):
    nested = d / "sub"
    nested.mkdir()
    (nested / "b.txt").write_text("x\n")
    assert (
        cli(tmp_path, "run", "word_count", str(nested / "b.txt"), "-o", str(d), "--overwrite") == 2
    )
    assert f"output {d} holds the input {nested / 'b.txt'}" in error_of(capsys)
    assert (nested / "b.txt").exists() and (d / "a.txt").exists()


def test_symlinks_are_resolved_both_ways(tmp_path, d, capsys):
    link = tmp_path / "link"
    link.symlink_to(d, target_is_directory=True)
    assert cli(tmp_path, "run", "word_count", str(link), "-o", str(d / "out")) == 2
    assert "lies inside the input" in error_of(capsys)
    assert cli(tmp_path, "run", "word_count", str(d), "-o", str(link), "--overwrite") == 2
    assert "is the input" in error_of(capsys)
    assert (d / "a.txt").exists()


def test_a_glob_that_would_read_an_earlier_output_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    (data / "d").mkdir(parents=True)
    (data / "d" / "a.txt").write_text("a b a\n")
    out = data / "out"
    assert cli(tmp_path, "run", "word_count", str(data / "*"), "-o", str(out)) == 0
    capsys.readouterr()
    pattern = str(data / "*")  # now matches d/a.txt and out/part-*
    assert cli(tmp_path, "run", "word_count", pattern, "-o", str(out), "--overwrite") == 2
    assert f"output {out} holds the input {out}" in error_of(capsys)
    assert (
        sum(
            json.loads(line)["count"]
            for p in out.glob("part-*")
            for line in p.read_text().splitlines()
        )
        == 3
    )


def test_outputs_beside_the_inputs_are_fine(tmp_path, d):
    sibling = tmp_path / "d-out"  # a name sharing a prefix is not inside
    check_apart(sibling, [str(d)], list_inputs([str(d)]))
    with pytest.raises(OutputError):
        check_apart(d / "x" / "y", [str(d)], list_inputs([str(d)]))
