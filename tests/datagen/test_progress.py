"""The progress bar draws only on a terminal and only once work has started."""

from __future__ import annotations

import sys

import pytest

from datagen.progress import ProgressBar


def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBar(100, enabled=True) as bar:
        bar.advance(100, 1000)
    assert bar.bar is None and capsys.readouterr().err == ""


def test_bar_on_a_terminal_starts_at_the_first_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with ProgressBar(100, enabled=True) as bar:
        assert bar.bar is None  # not before the workers exist
        bar.advance(50, 10**6)
        assert bar.bar is not None and bar.bar.tasks[0].completed == 50
    assert bar.bytes == 10**6


def test_quiet_never_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with ProgressBar(10, enabled=False) as bar:
        bar.advance(10, 10)
    assert bar.bar is None
