"""Fields' formulas: the names they may use, Templates as formulas, what generate() builds.

A name in a formula is looked up from the formula's own field outwards: `name` in the
formula of `friends.greeting` is `friends.name` if that field exists, else the record's
`name`. `field("First Name")` takes any field name (with spaces, capitals or dots), as does
a dotted name like `address.city`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from datagen.datasets import DatasetRef, find, load_dataset, lookup_rows
from datagen.datasets import column as dataset_column
from datagen.errors import SchemaError
from datagen.formula import Compiled, FormulaError, compile_formula
from datagen.formula.values import FormulaTypeError
from datagen.layout import Layout
from datagen.optioncheck import ReadKeys, check_known, declared_names
from datagen.plan import Plan
from datagen.structural import STRUCTURAL
from datagen.types import Batch, Context, lookup
from datagen.types.options import Options

__all__ = ["compile_field_formula", "services", "template_formula"]

_HOLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Services:
    """What formula functions build when the formula is compiled (generate()'s samplers)."""

    locale: str
    seed: int
    where: str
    datasets: Mapping[str, DatasetRef]

    def sampler(
        self, name: str, options: Mapping[str, Any]
    ) -> Callable[[int, np.random.Generator], pa.Array]:
        where = f"{self.where} generate({name!r})"
        try:
            kind = lookup(name, where)
        except SchemaError as exc:
            raise FormulaTypeError(str(exc).removeprefix(f"{where}: ")) from None
        if kind.name in STRUCTURAL:
            raise FormulaTypeError(f"generate cannot make a {kind.name}; it has no values alone")
        read = ReadKeys(dict(options))
        try:
            build = kind.build(Options(where, read), Context(self.locale, self.seed))
            check_known(where, kind.name, options, declared_names(kind.options) | read.read)
        except SchemaError as exc:
            raise FormulaTypeError(str(exc).removeprefix(f"{where}: ")) from None
        return lambda n, rng: build(Batch(0, n, rng))

    def dataset_lookup(self, name: str, column: str, key: str) -> Callable[[pa.Array], pa.Array]:
        """from_dataset(name, column, key: value): a function of the values to look up."""
        try:
            ref = find(self.datasets, name, self.where)
            table = load_dataset(ref)
            values = dataset_column(table, column, self.where, ref)
            dataset_column(table, key, self.where, ref)
        except SchemaError as exc:
            raise FormulaTypeError(str(exc).removeprefix(f"{self.where}: ")) from None
        return lambda probe: values.take(lookup_rows(table, key, probe))


def services(plan: Plan, where: str) -> Services:
    return Services(plan.locale, plan.seed, where, {r.name: r for r in plan.datasets})


class _FieldScope:
    """Names as the formula of one field sees them."""

    def __init__(self, layout: Layout, index: int, plan: Plan) -> None:
        self.layout = layout
        self.slot = layout.slots[index]
        self.plan = plan
        self.paths = {s.path: s for s in layout.slots if not s.structural}
        self.raw = {s.spec.name: s.path for s in layout.slots if not s.structural}

    def field(self, name: str) -> str | None:
        parts = self.slot.path.split(".")[:-1]
        for depth in range(len(parts), -1, -1):
            candidate = ".".join([*parts[:depth], name])
            if candidate in self.paths:
                return candidate
        return self.raw.get(name)

    def names(self) -> list[str]:
        return [*self.raw, *self.paths]

    def services(self) -> Services:
        return services(self.plan, self.slot.spec.where)


def template_formula(text: str, where: str, scope: _FieldScope) -> str:
    """A Template's text as a formula: "{first_name} x" becomes "#{field("first_name")} x"."""
    out = ['"']
    pos = 0
    for m in _HOLE.finditer(text):
        out.append(_quoted(text[pos : m.start()]))
        pos = m.end()
        if m[0] in ("{{", "}}"):
            out.append(m[0][0])
            continue
        name = m[1].strip()
        if scope.field(name) is None:
            raise SchemaError(f"{where}: template {text!r} names {name!r}, which is not a field")
        out.append("#{field(" + _quoted_name(name) + ")}")
    out.append(_quoted(text[pos:]) + '"')
    return "".join(out)


def _quoted(literal: str) -> str:
    return literal.replace("\\", "\\\\").replace('"', '\\"').replace("#", "\\#")


def _quoted_name(name: str) -> str:
    return '"' + _quoted(name) + '"'


def _source(plan: Plan, layout: Layout, index: int) -> tuple[str, str] | None:
    """(formula text, how errors name it) of a field, if it has one."""
    spec = layout.slots[index].spec
    opts = Options(spec.where, spec.options)
    if spec.type == "Template":
        text = opts.text("value", "")
        if not text:
            raise opts.fail("value", 'must be the template text, like "{first_name} {last_name}"')
        scope = _FieldScope(layout, index, plan)
        return template_formula(text, spec.where, scope), f"template {text!r}"
    if spec.type == "Formula":
        value = opts.text("value", "")
        if value and spec.formula:
            raise opts.fail("value", "and 'formula' are both given; keep one")
        text = value or spec.formula or ""
        if not text.strip():
            raise opts.fail("value", 'must be the formula, like "price * quantity"')
        return text, f"formula {text!r}"
    if spec.formula and spec.formula.strip():
        return spec.formula, f"formula {spec.formula!r}"
    return None


def compile_field_formula(plan: Plan, layout: Layout, index: int) -> Compiled | None:
    """The field's checked formula (a Template's too), or None; SchemaError says what and where."""
    source = _source(plan, layout, index)
    if source is None:
        return None
    text, shown = source
    spec = layout.slots[index].spec
    try:
        return compile_formula(text, _FieldScope(layout, index, plan))
    except FormulaError as exc:
        raise SchemaError(
            f"{spec.where}: {shown} at position {exc.pos + 1}: {exc.message}"
        ) from None
