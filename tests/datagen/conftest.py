"""Fixtures for datagen tests."""

from __future__ import annotations

import pytest

from datagen import plan as plan_module

SMALL_CHUNK = 1000


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Make chunks of 1,000 rows so small files still span many chunks."""
    monkeypatch.setattr(plan_module, "CHUNK_ROWS", SMALL_CHUNK)
    return SMALL_CHUNK
