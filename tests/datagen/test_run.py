"""Running: byte-identical output for any --workers, atomic publishing, unwritable outputs."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from datagen import DatagenError, OutputError, generate
from datagen import placement as placement_module
from datagen import run as run_module
from datagen.chunk import ChunkTask
from datagen.plan import make_plan

_ARGS: dict[str, Any] = {
    "preset": "users",
    "schema": None,
    "seed": 0,
    "fmt": None,
    "versions": None,
    "key_field": None,
    "timestamp_field": "updated_at",
    "truth": None,
    "ties": 0.0,
    "timestamp_style": "iso-z",
    "workers": 1,
    "locale": "en_US",
    "pretty": False,
    "line_ending": "unix",
    "bom": False,
}

EVENTS: dict[str, Any] = {"preset": "events", "rows": 4321, "seed": 9}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["e.jsonl", "e.json.gz", "e.csv", "e.parquet"])
def test_same_bytes_for_workers_1_2_4(tmp_path: Path, small_chunks: int, name: str) -> None:
    digests = set()
    for workers in (1, 2, 4):
        out = tmp_path / f"w{workers}-{name}"
        stats = generate(out, workers=workers, **EVENTS)
        assert stats.rows == 4321 and stats.bytes == out.stat().st_size
        digests.add(_digest(out))
    assert len(digests) == 1


def test_versions_and_truth_same_for_any_workers(tmp_path: Path, small_chunks: int) -> None:
    digests = set()
    for workers in (1, 3):
        out, truth = tmp_path / f"u{workers}.jsonl", tmp_path / f"t{workers}.jsonl"
        generate(
            out,
            preset="users",
            rows=5000,
            versions="2-5",
            truth=truth,
            ties=0.2,
            timestamp_style="mixed",
            workers=workers,
        )
        digests.add((_digest(out), _digest(truth)))
    assert len(digests) == 1


def test_seed_changes_the_data(tmp_path: Path) -> None:
    generate(tmp_path / "a.jsonl", preset="users", rows=50, seed=1)
    generate(tmp_path / "b.jsonl", preset="users", rows=50, seed=2)
    assert _digest(tmp_path / "a.jsonl") != _digest(tmp_path / "b.jsonl")


def test_whole_chunks_are_the_same_whatever_the_row_count(tmp_path: Path) -> None:
    # docs/datagen.md: the first k whole chunks of a longer file are the shorter file
    generate(tmp_path / "short.jsonl", preset="users", rows=50_000, seed=3)
    generate(tmp_path / "long.jsonl", preset="users", rows=50_010, seed=3)
    short = (tmp_path / "short.jsonl").read_bytes()
    assert (tmp_path / "long.jsonl").read_bytes().startswith(short)


def test_failed_run_leaves_no_file_and_keeps_the_old_one(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "users.jsonl"
    out.write_text("old\n")
    real = run_module.run_chunk

    def failing(task: ChunkTask) -> Any:
        if task.index == 2:
            raise RuntimeError("disk on fire")
        return real(task)

    monkeypatch.setattr(run_module, "run_chunk", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(out, preset="users", rows=5000)
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.jsonl"]


def test_worker_failure_is_one_sentence_with_the_cause_chained() -> None:
    future: Future[Any] = Future()
    future.set_exception(ValueError("boom"))
    plan = make_plan("x.jsonl", **_ARGS)
    with pytest.raises(
        DatagenError, match="a chunk of 1 failed in a worker process: boom"
    ) as caught:
        run_module._collect(future, plan)
    assert isinstance(caught.value.__cause__, ValueError)


@pytest.mark.parametrize("where", ["missing/out.jsonl", "."])
def test_unwritable_output_is_a_clear_error(tmp_path: Path, where: str) -> None:
    with pytest.raises(OutputError, match="cannot write output"):
        generate(tmp_path / where, preset="users", rows=5)


def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if _can_write(folder):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(OutputError, match="check that its folder exists and is writable"):
            generate(folder / "out.jsonl", preset="users", rows=5)
    finally:
        folder.chmod(0o700)


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


def test_size_option_is_close(tmp_path: Path) -> None:
    out = tmp_path / "sized.csv"
    stats = generate(out, preset="users", size="2MB")
    assert stats.bytes == pytest.approx(2_000_000, rel=0.05)


@pytest.mark.skipif(run_module.start_method() != "fork", reason="the patch reaches workers by fork")
def test_worker_failure_with_placement_aborts_cleanly(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk failing in a worker frees the workers waiting on its offset; nothing is published.

    The main process makes chunks too, and which ones a worker gets depends on timing, so
    every chunk a worker makes fails (chunk 1 always goes to a worker)."""
    real = placement_module.run_chunk

    def failing(task: ChunkTask) -> Any:
        if task.index >= 1:
            raise RuntimeError("worker fell over")
        return real(task)

    monkeypatch.setattr(placement_module, "run_chunk", failing)  # inherited by forked workers
    out = tmp_path / "users.jsonl"
    with pytest.raises(DatagenError, match="failed in a worker process: worker fell over"):
        generate(out, preset="users", rows=9000, workers=2)
    assert list(tmp_path.iterdir()) == []


def test_first_chunk_failing_in_the_main_process_frees_the_started_helpers(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helpers start before the main process makes chunk 0, and wait for its offset to
    place theirs: chunk 0 failing must end them and the run, leaving nothing behind."""
    real = run_module.run_chunk

    def failing(task: ChunkTask) -> Any:
        if task.index == 0:
            raise RuntimeError("chunk 0 fell over")
        return real(task)

    monkeypatch.setattr(run_module, "run_chunk", failing)  # the main process's chunks only
    out = tmp_path / "users.jsonl"
    with pytest.raises(RuntimeError, match="chunk 0 fell over"):
        generate(out, preset="users", rows=9000, workers=2)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_truth_path_fails_before_any_output(tmp_path: Path) -> None:
    out = tmp_path / "users.jsonl"
    with pytest.raises(OutputError, match="cannot write truth file"):
        generate(out, preset="users", rows=50, versions=2, truth=tmp_path / "no" / "truth.jsonl")
    assert list(tmp_path.iterdir()) == []


def test_without_pwrite_workers_hand_bytes_back(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Platforms without os.pwrite (Windows) fall back to the main process writing: same bytes."""
    generate(tmp_path / "a.jsonl", preset="users", rows=3500, workers=2)
    monkeypatch.delattr("os.pwrite")
    generate(tmp_path / "b.jsonl", preset="users", rows=3500, workers=2)
    assert _digest(tmp_path / "a.jsonl") == _digest(tmp_path / "b.jsonl")


@pytest.mark.parametrize("method", ["spawn"])
def test_fresh_workers_write_the_same_bytes(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    """Workers that start fresh (Python 3.12+, macOS, Windows) build their own pools: same bytes."""
    generate(tmp_path / "a.jsonl", preset="users", rows=3500, versions=2, truth=tmp_path / "ta")
    monkeypatch.setattr(run_module, "_context", lambda: multiprocessing.get_context(method))
    generate(
        tmp_path / "b.jsonl",
        preset="users",
        rows=3500,
        versions=2,
        truth=tmp_path / "tb",
        workers=2,
    )
    assert _digest(tmp_path / "a.jsonl") == _digest(tmp_path / "b.jsonl")
    assert _digest(tmp_path / "ta") == _digest(tmp_path / "tb")


def test_a_run_leaves_garbage_collection_as_it_found_it(tmp_path: Path) -> None:
    """The heap is frozen only while a run lasts, and a caller's own freeze is kept."""
    assert gc.get_freeze_count() == 0
    generate(tmp_path / "a.jsonl", preset="users", rows=100)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        generate(tmp_path / "b.jsonl", preset="users", rows=100)
        assert gc.get_freeze_count() > frozen // 2  # frozen objects freed meanwhile count off
    finally:
        gc.unfreeze()
