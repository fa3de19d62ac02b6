"""The shape of a record: where each field goes, which fields make arrays, which are hidden.

A field's name is its path in the record, with Mockaroo's conventions:

    address.city          nests: {"address": {"city": ...}}
    phones[3], phones[1-3]  an array of 3 (or 1 to 3) values of the field's type
    friends[2-5].name     an array of 2 to 5 objects; every `friends.*` field is inside it
    friends (JSON Array)  the same, with minItems/maxItems; `friends.name` are its fields
    friend (Repeating Element)  the same; XML writes each element as its own <friend>
    __helper, a.__b       hidden: generated (formulas can read them), never written

Each array is a level of rows below the records: its elements. A field lives at the level of
the innermost array around it; the writers walk `tree`, which leaves hidden fields out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeAlias

from datagen.errors import SchemaError
from datagen.schema import FieldSpec, Schema
from datagen.types.options import Options

__all__ = ["ARRAY_TYPES", "Arr", "ArraySpec", "Layout", "Leaf", "Obj", "Slot", "make_layout"]

ARRAY_TYPES = ("JSON Array", "Repeating Element")
_HINT = re.compile(r"(?P<name>.*?)\[(?P<low>\d+)(?:\s*-\s*(?P<high>\d+))?\]$")
MAX_ITEMS = 1000


@dataclass(frozen=True, slots=True)
class ArraySpec:
    """An array in the record: its path, element counts, parent array, and element kind."""

    path: str
    low: int
    high: int
    owner: int  # schema index of the field that declares it: the source of its random counts
    parent: int | None  # index of the enclosing array in Layout.arrays
    scalar: bool  # elements are one field's values (name[3]), not objects
    repeating: bool = False  # a Repeating Element (XML writes no wrapper element)


@dataclass(frozen=True, slots=True)
class Slot:
    """One schema field placed in the record."""

    spec: FieldSpec
    path: str  # the field's place in the record, brackets removed
    level: int | None  # index in Layout.arrays of the array it lives in; None: the record
    hidden: bool
    structural: bool  # a JSON Array / Repeating Element field: it has no values of its own


@dataclass(frozen=True, slots=True)
class Leaf:
    slot: int


@dataclass(frozen=True, slots=True)
class Arr:
    array: int
    element: Leaf | Obj


@dataclass(frozen=True, slots=True)
class Obj:
    children: tuple[tuple[str, Node], ...]


Node: TypeAlias = "Leaf | Arr | Obj"


@dataclass(frozen=True, slots=True)
class Layout:
    """Where every field goes; `tree` is what the writers write."""

    slots: tuple[Slot, ...]
    arrays: tuple[ArraySpec, ...]
    tree: Obj

    def find(self, path: str) -> int | None:
        """The slot at `path` (brackets removed), if any."""
        return next((i for i, s in enumerate(self.slots) if s.path == path), None)

    def ancestors(self, level: int | None) -> list[int | None]:
        """`level` and the levels around it, innermost first, ending with None (the record)."""
        out: list[int | None] = []
        while level is not None:
            out.append(level)
            level = self.arrays[level].parent
        return [*out, None]

    def flat(self) -> bool:
        """Whether the record has no arrays (every format writes it as it is)."""
        return not self.arrays


def _segments(spec: FieldSpec) -> list[tuple[str, tuple[int, int] | None]]:
    out = []
    for part in spec.name.split("."):
        m = _HINT.fullmatch(part)
        name, hint = (m["name"], (int(m["low"]), int(m["high"] or m["low"]))) if m else (part, None)
        if not name:
            raise SchemaError(f"{spec.where}: a dotted name cannot have an empty part")
        if hint is not None and not 0 <= hint[0] <= hint[1] <= MAX_ITEMS:
            raise SchemaError(
                f"{spec.where}: the array size [{hint[0]}-{hint[1]}] must be from 0 to "
                f"{MAX_ITEMS}, low first"
            )
        out.append((name, hint))
    return out


def _item_counts(spec: FieldSpec) -> tuple[int, int]:
    opts = Options(spec.where, spec.options)
    low = opts.integer("minItems", 1, low=0, high=MAX_ITEMS)
    high = opts.integer("maxItems", max(low, 5), low=0, high=MAX_ITEMS)
    if low > high:
        raise opts.fail("minItems", f"({low}) must not be greater than 'maxItems' ({high})")
    return low, high


class _Arrays:
    """Arrays collected from bracket hints and JSON Array fields, checked for conflicts."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[int, int, int, bool, bool, FieldSpec]] = {}

    def add(self, path: str, counts: tuple[int, int], spec: FieldSpec, scalar: bool,
            repeating: bool = False) -> None:  # fmt: skip
        seen = self.found.get(path)
        if seen is None:
            self.found[path] = (*counts, spec.index, scalar, repeating, spec)
            return
        if seen[:2] != counts:
            raise SchemaError(
                f"{spec.where}: array {path!r} has {counts[0]}-{counts[1]} items here but "
                f"{seen[0]}-{seen[1]} in {seen[5].where}; give its size once"
            )
        if seen[3] != scalar:
            raise SchemaError(
                f"{spec.where}: {path!r} is an array of values in one field and of objects in "
                f"another ({seen[5].where}); rename one"
            )


def _collect(schema: Schema) -> tuple[dict[str, Any], list[tuple[FieldSpec, str, bool]]]:
    arrays = _Arrays()
    placed = []
    for spec in schema.fields:
        segments = _segments(spec)
        names = [n for n, _ in segments]
        path = ".".join(names)
        for k, (_, hint) in enumerate(segments):
            if hint is not None:
                arrays.add(".".join(names[: k + 1]), hint, spec, scalar=k == len(segments) - 1)
        structural = spec.type in ARRAY_TYPES
        if structural:
            if segments[-1][1] is not None:
                raise SchemaError(f"{spec.where}: a {spec.type} sets its size with minItems and "
                                  "maxItems, not brackets")  # fmt: skip
            arrays.add(path, _item_counts(spec), spec, scalar=False,
                       repeating=spec.type == "Repeating Element")  # fmt: skip
        placed.append((spec, path, structural))
    return arrays.found, placed


def _array_specs(found: dict[str, Any]) -> list[ArraySpec]:
    paths = sorted(found, key=lambda p: (p.count("."), list(found).index(p)))
    specs: list[ArraySpec] = []
    for path in paths:
        low, high, owner, scalar, repeating, spec = found[path]
        parents = [i for i, a in enumerate(specs) if path.startswith(a.path + ".")]
        parent = max(parents, key=lambda i: len(specs[i].path)) if parents else None
        if parent is not None and specs[parent].scalar:
            raise SchemaError(f"{spec.where}: nests under {specs[parent].path!r}, an array of "
                              "values; rename one")  # fmt: skip
        specs.append(ArraySpec(path, low, high, owner, parent, scalar, repeating))
    return specs


def _level(path: str, arrays: list[ArraySpec], structural: bool) -> int | None:
    """The innermost array holding a field at `path` (for a JSON Array field: around it)."""
    best: int | None = None
    for i, a in enumerate(arrays):
        inside = path.startswith(a.path + ".") or (path == a.path and a.scalar)
        if inside and (best is None or len(a.path) > len(arrays[best].path)):
            best = i
    return best


def _check_paths(slots: list[Slot], arrays: list[ArraySpec]) -> None:
    """One field per path; nothing nests under a plain value."""
    seen: dict[str, Slot] = {}
    object_arrays = {a.path for a in arrays if not a.scalar}
    for slot in slots:
        other = seen.get(slot.path)
        if other is not None:
            raise SchemaError(f"{slot.spec.where}: the name is already used by "
                              f"{other.spec.where}; rename one")  # fmt: skip
        if not slot.structural and slot.path in object_arrays:
            raise SchemaError(f"{slot.spec.where}: {slot.path!r} is also an array of objects; "
                              "rename one")  # fmt: skip
        seen[slot.path] = slot
    for slot in slots:
        parts = slot.path.split(".")
        for i in range(1, len(parts)):
            parent = seen.get(".".join(parts[:i]))
            if parent is not None and not parent.structural:
                raise SchemaError(
                    f"{slot.spec.where}: nests under {parent.spec.where}, which is a plain "
                    "field; rename one"
                )


def _tree(slots: list[Slot], arrays: list[ArraySpec]) -> Obj:
    root: dict[str, Any] = {}
    by_path = {a.path: i for i, a in enumerate(arrays)}
    for index, slot in enumerate(slots):
        if slot.hidden:
            continue
        node, prefix = root, ""
        parts = slot.path.split(".")
        for depth, part in enumerate(parts):
            prefix = f"{prefix}.{part}" if prefix else part
            last = depth == len(parts) - 1
            if last and not slot.structural:
                if prefix in by_path:  # name[3]: an array of this field's values
                    node[part] = ("arr", by_path[prefix], Leaf(index))
                else:
                    node[part] = Leaf(index)
                break
            if prefix in by_path:
                entry = node.setdefault(part, ("arr", by_path[prefix], {}))
                node = entry[2]
            else:
                node = node.setdefault(part, {})
    return _freeze(root)  # type: ignore[return-value]


def _freeze(node: Any) -> Node:
    if isinstance(node, Leaf):
        return node
    if isinstance(node, tuple):
        _, array, element = node
        return Arr(array, element if isinstance(element, Leaf) else _freeze(element))  # type: ignore[arg-type]
    return Obj(tuple((k, _freeze(v)) for k, v in node.items()))


def make_layout(schema: Schema) -> Layout:
    """Place every field of the schema; SchemaError for names that cannot fit together."""
    found, placed = _collect(schema)
    arrays = _array_specs(found)
    slots = []
    for spec, path, structural in placed:
        hidden = any(part.startswith("__") for part in path.split("."))
        slots.append(Slot(spec, path, _level(path, arrays, structural), hidden, structural))
    _check_paths(slots, arrays)
    for a in arrays:
        if not a.scalar and not any(s.path.startswith(a.path + ".") for s in slots):
            owner = schema.fields[a.owner]
            raise SchemaError(f"{owner.where}: the array {a.path!r} has no fields; add fields "
                              f"named '{a.path}.<name>'")  # fmt: skip
    return Layout(tuple(slots), tuple(arrays), _tree(slots, arrays))
