"""Listing inputs never loses a file silently: an unreadable folder is an error.

Issue 8, defect 4: os.walk swallows the error of a subfolder it cannot list, so its files
were skipped with exit 0. The commands run bound by file permissions (as root, without
the capabilities that let root read anything), so the folder is unreadable for real.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from mapreduce.errors import InputError
from mapreduce.formats import listing
from mapreduce.formats.listing import list_inputs
from tests.mapreduce.unprivileged import mapreduce_bound, run_bound

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="drops capabilities the Linux way")


@pytest.fixture
def tree(tmp_path: Path):
    top = tmp_path / "d"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "a.txt").write_text("a b\n")
    (top / "sub" / "deeper" / "b.txt").write_text("c d\n")
    locked = top / "sub"
    locked.chmod(0)
    yield top, locked
    locked.chmod(stat.S_IRWXU)


def test_an_unreadable_subfolder_stops_the_listing_naming_it(tree):
    top, locked = tree
    code = f"from mapreduce.formats.listing import list_inputs; list_inputs([{str(top)!r}])"
    done = run_bound([sys.executable, "-c", code])
    assert done.returncode != 0
    assert f"InputError: cannot read input folder {locked}: Permission denied" in done.stderr


@pytest.mark.parametrize("as_glob", [False, True], ids=["folder", "glob"])
def test_a_run_over_a_folder_with_an_unreadable_subfolder_exits_2(tmp_path, tree, as_glob):
    top, locked = tree
    given = str(top / "*") if as_glob else str(top)
    out = tmp_path / "out"
    done = mapreduce_bound(
        "run", "word_count", given, "-o", str(out), "--state-dir", str(tmp_path / "s")
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: cannot read input folder {locked}")
    assert not out.exists()


def test_readable_folders_list_every_file_but_hidden_and_underscore_ones(tmp_path):
    (tmp_path / "d" / "x" / "_skip").mkdir(parents=True)
    for name in ("d/a.txt", "d/x/b.txt", "d/x/_skip/c.txt", "d/.hidden", "d/_SUCCESS"):
        (tmp_path / name).write_text("w\n")
    files = [
        Path(f.path).relative_to(tmp_path).as_posix() for f in list_inputs([str(tmp_path / "d")])
    ]
    assert files == ["d/a.txt", "d/x/b.txt"]


def test_inputs_beyond_what_positions_can_number_are_refused(tmp_path, monkeypatch):
    """A record's position is (file index << 40) + offset: a 1 TiB file, or more files than
    the index holds, would overlap the next file's positions."""
    huge = tmp_path / "huge.jsonl"
    with open(huge, "wb") as handle:  # sparse: no disk is used
        handle.truncate(1 << 40)
    with pytest.raises(InputError, match=r"huge.jsonl is 1,099,511,627,776 bytes; files up to"):
        list_inputs([str(huge)])
    for name in "abcd":
        (tmp_path / f"{name}.txt").write_text("w\n")
    monkeypatch.setattr(listing, "MAX_FILES", 3)
    with pytest.raises(InputError, match=r"^4 input files, starting with .*a.txt; at most 3 "):
        list_inputs([str(tmp_path / "*.txt")])


def test_standard_input_and_pipes_are_refused_with_the_remedy(tmp_path):
    """`zcat x.gz | mapreduce run job - ...` said "input - does not exist", and a pipe
    (`/dev/stdin`, `<(...)`) "is not a regular file", neither saying what to do."""
    with pytest.raises(InputError, match=r"input - \(standard input\) cannot be read; .*file"):
        list_inputs(["-"])
    fifo = tmp_path / "stream.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"is a pipe; .*write the stream to a file first"):
        list_inputs([str(fifo)])
    with pytest.raises(InputError, match=r"input /dev/null is not a regular file$"):
        list_inputs(["/dev/null"])
