"""One chunk's values, field by field, in the order formulas need them.

    compile_frame(plan)    per process (datagen.fieldplan): the layout, each field's sampler
                           or formula, and an order in which every field comes after the fields
                           its formula reads
    make_frame(plan, ...)  per chunk: array sizes, then each field's values at its level:
                             own values (its type's sampler; none for Formula/Template)
                             -> formula (Mockaroo's rule: after the field's own value, `this`)
                             -> percentBlank (blanks are applied last, to what is written)

A field inside an array has one value per element; a formula there reads fields of its own
element and of the records around it (spread over the elements). Each field of chunk i still
draws from its own stream seeded by (seed, i, field index), so the bytes do not depend on
--workers, nor on which fields have formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pyarrow as pa

from datagen.columns import Column, with_blanks
from datagen.datasets import Draw
from datagen.emails import derive_emails
from datagen.errors import SchemaError
from datagen.fieldplan import FramePlan, compile_frame
from datagen.formula import Env, FormulaError, evaluate
from datagen.formula.values import kind, to_text
from datagen.plan import Plan
from datagen.schema import FieldSpec
from datagen.timestamps import timestamp_column
from datagen.types import Batch
from datagen.types.dates import timestamp_range
from datagen.types.options import Options
from datagen.types.patterns import guid_strings
from datagen.types.pools import derive_seed
from datagen.versions import hash64

__all__ = ["Frame", "FramePlan", "compile_frame", "make_frame"]

_OWN, _BLANK, _COUNTS, _CALLS, _ROWS, _EMAILS = range(6)  # random streams of a field, per chunk


@dataclass(frozen=True, slots=True)
class Level:
    """The elements of one array in a chunk: how many, and the row each belongs to."""

    size: int
    owners: np.ndarray  # the parent row (record or outer element) of each element
    offsets: np.ndarray  # parent row r owns elements offsets[r] .. offsets[r+1]-1


@dataclass
class Frame:
    """A chunk's values: the output column and the typed value of each field, by slot."""

    rows: int
    levels: list[Level]
    columns: dict[int, Column] = field(default_factory=dict)
    typed: dict[int, pa.Array] = field(default_factory=dict)
    located: tuple | None = None

    def value(self, slot: int) -> pa.Array:
        """A field's typed values; a text column kept as pieces has none but its text."""
        typed = self.typed.get(slot)
        return typed if typed is not None else self.columns[slot].values


def _rng(plan: Plan, index: int, field_: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([plan.seed, index, field_, *stream])


def _levels(plan: Plan, fp: FramePlan, index: int, rows: int) -> list[Level]:
    levels: list[Level] = []
    for a in fp.layout.arrays:  # parents come before their children
        parent_size = rows if a.parent is None else levels[a.parent].size
        counts = _rng(plan, index, a.owner, _COUNTS).integers(a.low, a.high + 1, parent_size)
        offsets = np.zeros(parent_size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        owners = np.repeat(np.arange(parent_size, dtype=np.int64), counts)
        levels.append(Level(int(offsets[-1]), owners, offsets))
    return levels


def _key_values(spec: FieldSpec, plan: Plan, keys: np.ndarray) -> pa.Array:
    """The key field of versioned rows: a pure function of the key number."""
    if spec.type == "GUID":
        words = np.stack([hash64(plan.seed, keys, 11), hash64(plan.seed, keys, 12)], axis=1)
        return guid_strings(words.astype("<u8").view(np.uint8).reshape(len(keys), 16))
    if spec.type == "Sequence":
        opts = Options(spec.where, spec.options)
        start, step = opts.number("start", 1), opts.number("step", 1)
        if start == int(start) and step == int(step):
            return pa.array(int(start) + int(step) * keys)
        return pa.array(start + step * keys)
    return pa.array(keys + 1)


class _Maker:
    """Fills a Frame for chunk `index`."""

    def __init__(self, plan: Plan, fp: FramePlan, index: int) -> None:
        self.plan, self.fp, self.index = plan, fp, index
        self.start, self.rows = plan.chunk_span(index)
        positions = np.arange(self.start, self.start + self.rows, dtype=np.int64)
        located = plan.versions.locate(positions) if plan.versions is not None else None
        self.frame = Frame(self.rows, _levels(plan, fp, index, self.rows))
        self.frame.located = (positions, *located) if located is not None else None
        self.own: dict[int, pa.Array | None] = {}
        self.current = -1
        self.rows_drawn: dict[tuple, np.ndarray] = {}
        self.zones: dict[int, np.ndarray | None] = {}  # random time zones of Date fields

    def size(self, level: int | None) -> int:
        return self.rows if level is None else self.frame.levels[level].size

    def read(self, at: int | None, slot: int) -> pa.Array:
        """A field's values spread over the rows of level `at` (its own level or inside it)."""
        if slot == self.current:
            own = self.own.get(slot)
            return own if own is not None else pa.nulls(self.size(at))
        value = self.frame.value(slot)
        target = self.fp.layout.slots[slot].level
        if target == at:
            return value
        rows = np.arange(self.size(at), dtype=np.int64)
        level = at
        while level != target:
            assert level is not None
            rows = self.frame.levels[level].owners[rows]
            level = self.fp.layout.arrays[level].parent
        return value.take(pa.array(rows))

    def own_values(self, slot: int) -> tuple[pa.Array | None, Column | None]:
        """(typed values, output column) of the field's own type, before its formula."""
        spec, fplan = self.fp.layout.slots[slot].spec, self.fp.fields[slot]
        level = self.fp.layout.slots[slot].level
        rng = _rng(self.plan, self.index, spec.index, _OWN)
        located = self.frame.located
        if level is None and located is not None and spec.name == self.plan.key_field:
            keys = _key_values(spec, self.plan, located[1])
            return keys, Column(keys)
        if level is None and spec.name == self.plan.timestamp_field:
            if located is not None and self.plan.versions is not None:
                instants = self.plan.versions.instants(*located[1:])
            else:
                lo, hi = timestamp_range(spec)
                instants = rng.integers(lo, hi + 1, self.rows, dtype=np.int64)
            col = timestamp_column(instants, self.plan.style, rng)
            return pa.array(instants * 1000, pa.timestamp("ms")), col
        if fplan.draw is not None and fplan.source is not None:
            values = fplan.source.take(pa.array(self.dataset_rows(fplan.draw, level)))
            return values, Column(values)
        if fplan.sql is not None:
            values = pa.repeat(pa.scalar(fplan.sql), self.size(level))
            return values, Column(values, sql=True)
        if fplan.sampler is None:
            return None, None
        batch = Batch(self.start if level is None else 0, self.size(level), rng)
        if fplan.temporal is not None:
            ms, choice = fplan.temporal.draw(batch)
            self.zones[slot] = choice
            return fplan.temporal.typed(ms, choice), fplan.temporal.column(ms, choice)
        sampler = fplan.sampler
        if fplan.names is not None:
            first, last = (self.frame.value(s) for s in fplan.names)
            stream = _rng(self.plan, self.index, spec.index, _EMAILS)
            own = partial(sampler, batch)
            col = derive_emails(first, last, own, stream, self.plan.locale, self.plan.seed)
            return col.made, col  # None while the emails are pieces (see Frame.value)
        values = sampler(batch)
        return values, Column(values)

    def dataset_rows(self, draw: Draw, level: int | None) -> np.ndarray:
        """The dataset rows of this level's records (or elements): one draw per dataset way."""
        key = (*draw.key, level)
        if key not in self.rows_drawn:
            stream = derive_seed("dataset", *draw.key[:2], level)
            rng = _rng(self.plan, self.index, stream, _ROWS)
            start = self.start if level is None else 0
            positions = np.arange(start, start + self.size(level), dtype=np.int64)
            self.rows_drawn[key] = draw.rows(rng, positions)
        return self.rows_drawn[key]

    def formula(self, slot: int, this: pa.Array | None) -> pa.Array:
        fplan = self.fp.fields[slot]
        assert fplan.formula is not None
        spec, level = self.fp.layout.slots[slot].spec, self.fp.layout.slots[slot].level
        by_path = {self.fp.layout.slots[s].path: s for s in fplan.reads}
        by_path[self.fp.layout.slots[slot].path] = slot

        def stream(pos: int) -> np.random.Generator:
            return _rng(self.plan, self.index, spec.index, _CALLS, pos)

        env = Env(self.size(level), lambda p: self.read(level, by_path[p]), this, stream)
        try:
            return evaluate(fplan.formula, env)
        except FormulaError as exc:
            raise SchemaError(
                f"{spec.where}: formula {fplan.formula.text!r} at position {exc.pos + 1}: "
                f"{exc.message}"
            ) from None

    def fill(self, slot: int) -> None:
        self.current = slot
        layout_slot, fplan = self.fp.layout.slots[slot], self.fp.fields[slot]
        if layout_slot.structural:
            return
        spec = layout_slot.spec
        typed, out = self.own_values(slot)
        if typed is None and out is not None and (fplan.formula or spec.percent_blank):
            typed = out.values  # text kept as pieces is its own typed value
        self.own[slot] = typed
        if fplan.formula is not None:
            typed = self.formula(slot, typed)
            text = typed
            if kind(typed) in ("date", "time"):
                temporal, choice = fplan.temporal, self.zones.get(slot)
                text = temporal.format(typed, choice) if temporal else to_text(typed)
            out = Column(text, sql=out.sql if out is not None else False)
        assert out is not None and (typed is not None or out.parts is not None)
        versioned = spec.name in (self.plan.key_field, self.plan.timestamp_field)
        if spec.percent_blank and not versioned:
            n = self.size(layout_slot.level)
            draw = _rng(self.plan, self.index, spec.index, _BLANK).random(n)
            blank = draw * 100 < spec.percent_blank
            out = Column(with_blanks(out.values, blank), out.bare, out.sql)
            typed = with_blanks(typed, blank)
        if typed is not None:
            self.frame.typed[slot] = typed
        self.frame.columns[slot] = out


def make_frame(plan: Plan, fp: FramePlan, index: int) -> Frame:
    """Every field's values for chunk `index`."""
    maker = _Maker(plan, fp, index)
    for slot in fp.order:
        maker.fill(slot)
    return maker.frame
