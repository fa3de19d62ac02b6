"""Date and Datetime fields as instants: drawn once, read by formulas, formatted for output.

The registry's Date/Datetime types (datagen/types/dates.py) declare the options; this module
makes their values so formulas see dates, not text: `signed_up + days(30)`,
`year(born)`. A Date field whose format shows no time of day reads as a date (Ruby's
Date); otherwise as a date-time. Unchanged values are rendered from the very draws the
type makes (the same bytes as before formulas existed).

`timeZone` (a datagen option of both types; default UTC) shows each instant as wall-clock
time in a zone: `%z`, `%:z` and `%Z` write its offset and abbreviation at that instant,
daylight saving time included (datagen/zones.py). Formulas see instants in UTC; a Date
field's date is the day in its zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column
from datagen.schema import FieldSpec
from datagen.strftime import Directive, compile_format, render, render_parts
from datagen.types.dates import instant_range
from datagen.types.options import Options
from datagen.types.registry import Batch
from datagen.zones import Zone, parse_zone

__all__ = ["TEMPORAL_OPTIONS", "TEMPORAL_TYPES", "Temporal", "make_temporal"]

TEMPORAL_TYPES = {"Date": "%m/%d/%Y", "Datetime": "%Y-%m-%dT%H:%M:%SZ"}
TEMPORAL_OPTIONS = {"timeZone"}  # what datagen adds to the types' own options
DATE = pa.date32()
TIME = pa.timestamp("ms")
_CLOCK = set("HIklMSLpPsNrRTXcz")
UTC = Zone((), 0, "UTC")


@dataclass(frozen=True, slots=True)
class Temporal:
    """A Date or Datetime field: its range, format, and whether formulas see dates."""

    low: int
    high: int
    tokens: tuple
    as_date: bool
    zone: Zone = UTC
    millis: bool = True  # milliseconds are drawn: the format writes them, or formulas read them

    def draw(self, batch: Batch) -> tuple[np.ndarray, np.ndarray | None]:
        """Milliseconds since 1970 of each row (the draws of datagen.types.dates), and each
        row's zone when the zone is random."""
        seconds = batch.rng.integers(self.low, self.high + 1, batch.size, dtype=np.int64)
        if not (self.millis or self.zone.random):
            return seconds * 1000, None  # the last draw: skipping it changes no other value
        millis = batch.rng.integers(0, 1000, batch.size)
        choice = (
            batch.rng.integers(0, len(self.zone.names), batch.size) if self.zone.random else None
        )
        return seconds * 1000 + millis, choice

    def _offsets(
        self, seconds: np.ndarray, choice: np.ndarray | None
    ) -> tuple[np.ndarray, pa.Array]:
        return self.zone.offsets(seconds, choice)

    def typed(self, ms: np.ndarray, choice: np.ndarray | None) -> pa.Array:
        """What formulas see: dates (the day in the field's zone), or date-times (UTC)."""
        if not self.as_date:
            return pa.array(ms, TIME)
        if not self.zone.utc:
            ms = ms + self._offsets(np.floor_divide(ms, 1000), choice)[0] * 1000
        return pc.cast(pa.array(ms, TIME), DATE)

    def text(self, ms: np.ndarray, choice: np.ndarray | None) -> pa.Array:
        """The field's output: each instant rendered with the field's format, in its zone."""
        seconds, millis = np.floor_divide(ms, 1000), np.mod(ms, 1000)
        if self.zone.utc:
            return render(self.tokens, seconds, millis=millis)
        offsets, names = self._offsets(seconds, choice)
        return render(self.tokens, seconds + offsets, millis=millis,
                      offset_minutes=offsets // 60, zone_names=names)  # fmt: skip

    def column(self, ms: np.ndarray, choice: np.ndarray | None) -> Column:
        """text() as an output column: pieces for fixed-width formats in UTC, so a record's
        assemble gathers the day and clock tables directly (datagen.pieces)."""
        if self.zone.utc:
            seconds = np.floor_divide(ms, 1000)
            parts = render_parts(self.tokens, seconds, np.mod(ms, 1000), (self.low, self.high))
            if parts is not None:
                return Column(parts=parts, rows=len(ms))
        return Column(self.text(ms, choice))

    def format(self, value: pa.Array, choice: np.ndarray | None) -> pa.Array:
        """Dates or date-times a formula made, rendered with the field's format."""
        if pa.types.is_date(value.type) and not self.zone.utc:
            value = _midnight_in(value, self.zone, choice)
        ms = pc.cast(pc.cast(value, TIME), pa.int64())
        text = self.text(np.asarray(pc.fill_null(ms, 0)), choice)
        if value.null_count:
            text = pc.if_else(value.is_valid(), text, pa.scalar(None, pa.string()))
        return text


def _shows_time(tokens: tuple) -> bool:
    return any(isinstance(t, Directive) and t.letter in _CLOCK for t in tokens)


def _midnight_in(value: pa.Array, zone: Zone, choice: np.ndarray | None) -> pa.Array:
    """Dates as the instants their day starts in `zone` (so they render as that day)."""
    seconds = np.asarray(pc.fill_null(pc.cast(value, pa.int32()), 0), np.int64) * 86400
    offsets, _ = zone.offsets(seconds, choice)
    return pa.array((seconds - offsets) * 1000, TIME, mask=np.asarray(value.is_null()))


def make_temporal(spec: FieldSpec, read_by_formulas: bool = True) -> Temporal:
    """The Temporal of a Date or Datetime field (its options were checked by its type)."""
    opts = Options(spec.where, spec.options)
    low, high = instant_range(spec.where, spec.options)
    tokens = compile_format(opts.text("format", TEMPORAL_TYPES[spec.type]))
    try:
        zone = parse_zone(opts.text("timeZone", "UTC"))
    except ValueError as exc:
        raise opts.fail("timeZone", str(exc).replace("is not a", "names no", 1)) from None
    shows_millis = any(isinstance(t, Directive) and t.letter in "LN" for t in tokens)
    as_date = spec.type == "Date" and not _shows_time(tokens)
    return Temporal(low, high, tokens, as_date, zone, millis=shows_millis or read_by_formulas)
