"""A write that fails (a full disk, a file-size limit) is one sentence, exit 2, and no file.

Issue #8, defect 13: with 1 worker, Parquet, `.txt.gz` or the truth file, a full disk gave a
traceback and exit 1. Each case runs the command line in a child process whose writes fail
for real: a file-size limit (RLIMIT_FSIZE, EFBIG; works for any user, so it runs in CI), and,
when this user may mount one, a tiny tmpfs (ENOSPC).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.limits import CAN_MOUNT, file_size_limit, tiny_filesystem

LIMIT = 64 * 1024

CASES = [
    pytest.param(["--preset", "users", "-o", "{d}/users.jsonl"], "output", id="ndjson"),
    pytest.param(["--preset", "users", "-o", "{d}/users.parquet"], "output", id="parquet"),
    pytest.param(
        ["--preset", "words", "-o", "{d}/words.txt.gz", "--rows", "20000"], "output", id="txt.gz"
    ),
    pytest.param(
        ["--preset", "users", "-o", "{d}/users.csv", "--workers", "2"], "output", id="csv-2-workers"
    ),
    # one constant column compresses to little in Parquet, the NDJSON truth file does not:
    # the truth file fails first (2,000 rows: about 36 kB of Parquet, 110 kB of truth)
    pytest.param(
        ["--schema", "{s}", "-o", "{d}/n.parquet", "--truth", "{d}/truth.jsonl", "--rows", "2000"],
        "truth file",
        id="truth",
    ),
]
ROWS = 20_000  # unless a case says otherwise


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "constant.json"
    path.write_text('[{"name": "a", "type": "Custom List", "values": ["x"]}]')
    return path


def _datagen(
    args: list[str], folder: Path, schema: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [a.format(d=folder, s=schema) for a in args]
    return subprocess.run(
        [sys.executable, "-m", "datagen", *argv, "--quiet"]
        + ([] if "--rows" in argv else ["--rows", str(ROWS)]),
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=preexec,
        timeout=120,
    )


def _check_clean_failure(done: subprocess.CompletedProcess[str], what: str, folder: Path) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: cannot write {what} ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert list(folder.iterdir()) == []  # no partial output, temporary or scratch file


@pytest.mark.parametrize(("args", "what"), CASES)
def test_file_size_limit_is_one_sentence_and_no_file(
    tmp_path: Path, schema: Path, args: list[str], what: str
) -> None:
    done = _datagen(args, tmp_path, schema, file_size_limit(LIMIT))
    _check_clean_failure(done, what, tmp_path)
    assert "File too large" in done.stderr


@pytest.mark.skipif(
    not CAN_MOUNT,
    reason="mounting a tiny tmpfs needs Linux and root",
)
@pytest.mark.parametrize(("args", "what"), CASES)
def test_full_disk_is_one_sentence_and_no_file(schema: Path, args: list[str], what: str) -> None:
    with tiny_filesystem(f"{LIMIT // 1024}k", "datagen-full") as folder:
        done = _datagen(args, folder, schema)
        _check_clean_failure(done, what, folder)
        assert "No space left on device" in done.stderr
