"""Date and Datetime fields as instants: drawn once, read by formulas, formatted for output.

The registry's Date/Datetime types (datagen/types/dates.py) declare the options; this module
makes their values so formulas see dates, not text: `signed_up + days(30)`,
`year(born)`. A Date field whose format shows no time of day reads as a date (Ruby's
Date); otherwise as a date-time. Unchanged values are rendered from the very draws the
type makes (the same bytes as before formulas existed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.schema import FieldSpec
from datagen.strftime import Directive, compile_format, render
from datagen.types.dates import instant_range
from datagen.types.options import Options
from datagen.types.registry import Batch

__all__ = ["TEMPORAL_TYPES", "Temporal", "make_temporal"]

TEMPORAL_TYPES = {"Date": "%m/%d/%Y", "Datetime": "%Y-%m-%dT%H:%M:%SZ"}
DATE = pa.date32()
TIME = pa.timestamp("ms")
_CLOCK = set("HIklMSLpPsNrRTXcz")


@dataclass(frozen=True, slots=True)
class Temporal:
    """A Date or Datetime field: its range, format, and whether formulas see dates."""

    low: int
    high: int
    tokens: tuple
    as_date: bool

    def draw(self, batch: Batch) -> np.ndarray:
        """Milliseconds since 1970 of each row (the draws of datagen.types.dates)."""
        seconds = batch.rng.integers(self.low, self.high + 1, batch.size, dtype=np.int64)
        millis = batch.rng.integers(0, 1000, batch.size)
        return seconds * 1000 + millis

    def typed(self, ms: np.ndarray) -> pa.Array:
        """What formulas see: dates, or date-times (UTC, to the millisecond)."""
        instants = pa.array(ms, TIME)
        return pc.cast(instants, DATE) if self.as_date else instants

    def text(self, ms: np.ndarray) -> pa.Array:
        """The field's output: each instant rendered with the field's format."""
        return render(self.tokens, np.floor_divide(ms, 1000), millis=np.mod(ms, 1000))

    def format(self, value: pa.Array) -> pa.Array:
        """Dates or date-times a formula made, rendered with the field's format."""
        ms = pc.cast(pc.cast(value, TIME), pa.int64())
        text = self.text(np.asarray(pc.fill_null(ms, 0)))
        if value.null_count:
            text = pc.if_else(value.is_valid(), text, pa.scalar(None, pa.string()))
        return text


def _shows_time(tokens: tuple) -> bool:
    return any(isinstance(t, Directive) and t.letter in _CLOCK for t in tokens)


def make_temporal(spec: FieldSpec) -> Temporal:
    """The Temporal of a Date or Datetime field (its options were checked by its type)."""
    opts = Options(spec.where, spec.options)
    low, high = instant_range(spec.where, spec.options)
    tokens = compile_format(opts.text("format", TEMPORAL_TYPES[spec.type]))
    return Temporal(low, high, tokens, spec.type == "Date" and not _shows_time(tokens))
