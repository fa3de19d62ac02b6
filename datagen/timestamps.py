"""Timestamp styles for the timestamp field: how an instant is written, to exercise parsers.

    iso-z       2024-03-01T12:34:56Z
    iso-offset  2024-03-01T14:04:56+01:30   (the same instant, at a varied UTC offset)
    epoch       1709296496                  (seconds, a JSON number)
    mixed       any of the above per row, plus naive ISO 2024-03-01T12:34:56 (meaning UTC)

Every style writes whole seconds; the truth file keeps the text as written, and the instant it
means is what decides the latest version.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column
from datagen.strftime import compile_format, render

__all__ = ["OFFSETS", "STYLES", "timestamp_column"]

STYLES = ("iso-z", "iso-offset", "epoch", "mixed")
# Real-world UTC offsets in minutes, including the half- and quarter-hour ones.
OFFSETS = np.array(
    [
        -720,
        -600,
        -570,
        -480,
        -420,
        -360,
        -300,
        -240,
        -210,
        -180,
        -120,
        -60,
        0,
        60,
        120,
        180,
        210,
        240,
        270,
        300,
        330,
        345,
        360,
        390,
        420,
        480,
        525,
        540,
        570,
        600,
        660,
        720,
        765,
        780,
        840,
    ],
    dtype=np.int64,
)
_ISO_Z = compile_format("%Y-%m-%dT%H:%M:%SZ")
_NAIVE = compile_format("%Y-%m-%dT%H:%M:%S")
_OFFSET = compile_format("%Y-%m-%dT%H:%M:%S%:z")


def _with_offset(instants: np.ndarray, rng: np.random.Generator) -> pa.Array:
    offsets = OFFSETS[rng.integers(0, len(OFFSETS), len(instants))]
    return render(_OFFSET, instants + offsets * 60, offset_minutes=offsets)


def timestamp_column(instants: np.ndarray, style: str, rng: np.random.Generator) -> Column:
    """A column writing `instants` (seconds since 1970, UTC) in `style`."""
    if style == "iso-z":
        return Column(render(_ISO_Z, instants))
    if style == "iso-offset":
        return Column(_with_offset(instants, rng))
    if style == "epoch":
        return Column(pa.array(instants, pa.int64()))
    kinds = rng.integers(0, 4, len(instants), dtype=np.int8)
    forms = [
        render(_ISO_Z, instants),
        _with_offset(instants, rng),
        render(_NAIVE, instants),
        pa.array(instants, pa.int64()).cast(pa.string()),
    ]
    text = pc.choose(pa.array(kinds), *forms)
    return Column(text, bare=pa.array(kinds == 3))
