"""docs/datagen.md documents every type and every preset."""

from __future__ import annotations

from pathlib import Path

from datagen.presets import PRESETS
from datagen.types import all_types

DOC = Path(__file__).resolve().parents[2] / "docs" / "datagen.md"


def test_every_type_is_in_the_docs() -> None:
    text = DOC.read_text()
    assert [t.name for t in all_types() if f"| {t.name}" not in text] == []


def test_every_preset_has_a_copy_paste_example() -> None:
    text = DOC.read_text()
    assert [p for p in PRESETS if f"--preset {p} " not in text] == []
