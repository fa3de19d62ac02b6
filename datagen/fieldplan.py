"""How each field of a plan gets its values: compiled once per process, used by every chunk.

    compile_frame(plan)    the layout, each field's sampler or formula, and an order in which
                           every field comes after the fields its formula reads

Options are checked here (SchemaError for a bad one), before any chunk is made.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from datagen.datasets import Draw, dataset_draw
from datagen.emails import EMAIL_TYPE, name_fields
from datagen.errors import SchemaError
from datagen.formula import Compiled
from datagen.formulas import compile_field_formula
from datagen.layout import Layout, make_layout
from datagen.optioncheck import ReadKeys, check_known, declared_names
from datagen.plan import Plan
from datagen.schema import FieldSpec
from datagen.structural import FORMULA_TYPES, STRUCTURAL
from datagen.temporal import TEMPORAL_OPTIONS, TEMPORAL_TYPES, Temporal, make_temporal
from datagen.types import Batch, Context, Sampler, lookup
from datagen.types.options import Options

__all__ = ["FieldPlan", "FramePlan", "compile_frame"]


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one field gets its values."""

    sampler: Sampler | None = None  # its type's values (None: Formula, Template, arrays)
    temporal: Temporal | None = None  # Date/Datetime: instants, so formulas see dates
    formula: Compiled | None = None
    reads: tuple[int, ...] = ()  # slots the formula reads
    draw: Draw | None = None  # Dataset Column: how rows are picked, and the column
    source: pa.Array | None = None
    sql: str | None = None  # SQL Expression: the expression
    names: tuple[int, int] | None = None  # Email Address: the record's first and last names


@dataclass(frozen=True, slots=True)
class FramePlan:
    layout: Layout
    fields: tuple[FieldPlan, ...]
    order: tuple[int, ...]


def _sampler(spec: FieldSpec, ctx: Context) -> Sampler:
    """The field's sampler; SchemaError for a bad option or one its type does not know."""
    kind_ = lookup(spec.type, spec.where)
    options = ReadKeys(spec.options)
    sampler = kind_.build(Options(spec.where, options), ctx)
    known = declared_names(kind_.options) | options.read
    if kind_.name in TEMPORAL_TYPES:
        known |= TEMPORAL_OPTIONS
    check_known(spec.where, kind_.name, spec.options, known)
    return sampler


def _field_plan(plan: Plan, layout: Layout, index: int, ctx: Context) -> FieldPlan:
    slot = layout.slots[index]
    spec = slot.spec
    if spec.type in STRUCTURAL:
        check_known(spec.where, spec.type, spec.options,
                    declared_names(lookup(spec.type, spec.where).options))  # fmt: skip
    formula = compile_field_formula(plan, layout, index)
    if formula is not None and spec.name in (plan.key_field, plan.timestamp_field):
        raise SchemaError(f"{spec.where}: the key and timestamp fields of --versions cannot "
                          "have a formula; put it on another field")  # fmt: skip
    reads = _reads(layout, index, formula)
    if spec.type == "Dataset Column":
        datasets = {ref.name: ref for ref in plan.datasets}
        draw, source = dataset_draw(Options(spec.where, spec.options), datasets)
        return FieldPlan(formula=formula, reads=reads, draw=draw, source=source)
    if spec.type == "SQL Expression":
        opts = Options(spec.where, spec.options)
        sql = opts.text("value", "")
        if not sql.strip():
            raise opts.fail("value", "must be the SQL expression, like NOW()")
        return FieldPlan(formula=formula, reads=reads, sql=sql)
    if spec.type in STRUCTURAL:
        return FieldPlan(formula=formula, reads=reads)
    names = None
    if spec.type == EMAIL_TYPE and plan.schema.emails_from_names:
        names = name_fields(layout, index)
    if names is not None:
        # the type's own emails are only needed for records without usable names: its pools
        # (65,536 usernames) are built the first time one is (a tenth of a 1M-row run)
        kind = lookup(spec.type, spec.where)
        check_known(spec.where, kind.name, spec.options, declared_names(kind.options))
        return FieldPlan(_Deferred(spec, ctx), None, formula, (*reads, *names), names=names)
    formulas = any(s.spec.formula or s.spec.type in FORMULA_TYPES for s in layout.slots)
    temporal = make_temporal(spec, formulas) if spec.type in TEMPORAL_TYPES else None
    return FieldPlan(_sampler(spec, ctx), temporal, formula, reads)


class _Deferred:
    """A field's sampler, built when it is first called."""

    def __init__(self, spec: FieldSpec, ctx: Context) -> None:
        self.spec, self.ctx = spec, ctx
        self.sampler: Sampler | None = None

    def __call__(self, batch: Batch) -> pa.Array:
        if self.sampler is None:
            self.sampler = _sampler(self.spec, self.ctx)
        return self.sampler(batch)


def _reads(layout: Layout, index: int, formula: Compiled | None) -> tuple[int, ...]:
    """The slots a formula reads; they must be in its element or in the records around it."""
    if formula is None:
        return ()
    slot = layout.slots[index]
    around = layout.ancestors(slot.level)
    reads = []
    for path in sorted(formula.fields):
        other = layout.find(path)
        assert other is not None
        if other == index:
            continue  # its own name is `this`
        if layout.slots[other].level not in around:
            array = layout.arrays[layout.slots[other].level].path  # type: ignore[index]
            raise SchemaError(
                f"{slot.spec.where}: formula {formula.text!r} reads {path!r}, which is inside "
                f"the array {array!r}; only fields of the same element or around it can be read"
            )
        reads.append(other)
    return tuple(reads)


def _order(layout: Layout, fields: list[FieldPlan]) -> tuple[int, ...]:
    """Schema order, except that a field comes after the fields its formula reads."""
    done: list[int] = []
    state: dict[int, int] = {}

    def visit(i: int, chain: list[int]) -> None:
        if state.get(i) == 2:
            return
        if state.get(i) == 1:
            cycle = [*chain[chain.index(i) :], i]
            names = " -> ".join(repr(layout.slots[j].spec.name) for j in cycle)
            raise SchemaError(f"{layout.slots[i].spec.where}: formulas read each other in a "
                              f"circle ({names}); break the circle")  # fmt: skip
        state[i] = 1
        for j in fields[i].reads:
            visit(j, [*chain, i])
        state[i] = 2
        done.append(i)

    for i in range(len(fields)):
        visit(i, [])
    return tuple(done)


def compile_frame(plan: Plan) -> FramePlan:
    """Everything about the fields that does not change from chunk to chunk."""
    layout = make_layout(plan.schema)
    ctx = Context(plan.locale, plan.seed)
    fields = [_field_plan(plan, layout, i, ctx) for i in range(len(layout.slots))]
    return FramePlan(layout, tuple(fields), _order(layout, fields))
