"""Placing chunks: offsets chained from published sizes, and the main process making chunks."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from datagen import generate
from datagen import run as run_module
from datagen.chunk import ChunkTask
from datagen.placement import Placement


def _placement(chunks: int) -> Placement:
    return Placement.create(multiprocessing.get_context(), "unused", chunks)


def test_offsets_wait_for_every_size_before_them() -> None:
    placement = _placement(4)
    placement.publish(2, 30)
    assert placement.offset(2) == -1 and placement.offset(3) == -1
    placement.publish(0, 10)
    assert placement.offset(1) == 10 and placement.offset(2) == -1
    placement.publish(1, 20)  # the chain runs on through the size published before
    assert [placement.offset(i) for i in range(4)] == [0, 10, 30, 60]
    placement.publish(3, 5)
    assert placement.offsets[4] == 65


def test_a_size_published_twice_gives_the_same_offsets() -> None:
    placement = _placement(3)
    for index, size in [(0, 7), (1, 8), (0, 7), (2, 9)]:
        placement.publish(index, size)
    assert list(placement.offsets)[:4] == [0, 7, 15, 24]


@pytest.mark.skipif(run_module.start_method() != "fork", reason="the patch reaches workers by fork")
def test_main_process_makes_chunks_beside_its_worker(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --workers 2 the main process and one worker make the chunks: the same bytes."""
    made: list[int] = []
    real = run_module.run_chunk

    def recording(task: ChunkTask) -> Any:
        made.append(task.index)
        return real(task)

    generate(tmp_path / "one.jsonl", preset="users", rows=20_000, workers=1)
    monkeypatch.setattr(run_module, "run_chunk", recording)  # the main process's calls only
    generate(tmp_path / "two.jsonl", preset="users", rows=20_000, workers=2)
    assert made[0] == 0 and 1 < len(made) < 20  # the worker made the others
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
