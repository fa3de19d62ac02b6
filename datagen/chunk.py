"""One chunk: the worker's whole job. A ChunkTask in, a ChunkResult (bytes or a batch) out.

Each field of chunk i draws from its own numpy stream seeded by (seed, i, field index), so a
chunk's content depends on nothing but the plan and i — not on which process made it, nor on
Faker's shared random state (pools come from their own seeded Faker, see types/pools.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, as_bytes
from datagen.encode import Template, json_template, json_values, render
from datagen.errors import UsageError
from datagen.frame import FramePlan, compile_frame, make_frame
from datagen.plan import Plan, with_rows
from datagen.writers import Framing, encode_rows, framing, gzip_member, record_batch, template

__all__ = ["ChunkResult", "ChunkTask", "TruthPart", "compile_plan", "run_chunk"]


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Make chunk `index` of `plan`."""

    plan: Plan
    index: int


@dataclass(frozen=True, slots=True)
class TruthPart:
    """A chunk's winning records as NDJSON lines, sorted by key (keys count from 0)."""

    keys: np.ndarray
    offsets: np.ndarray
    data: bytes


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a worker hands back: file bytes (text formats) or a batch (Parquet), and truth."""

    index: int
    rows: int
    data: bytes = b""
    batch: pa.RecordBatch | None = None
    truth: TruthPart | None = None
    size: int = 0  # bytes a worker already wrote into the output (see placement.py)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A plan's fields and templates, built once per process."""

    frame: FramePlan
    visible: tuple[int, ...]  # the slots written, in order
    template: Template | None
    framing: Framing | None
    truth_template: Template | None

    @property
    def names(self) -> list[str]:
        return [self.frame.layout.slots[i].path for i in self.visible]


_CACHE: dict[bytes, Compiled] = {}
PROBE_ROWS = 16


def _compile(plan: Plan) -> Compiled:
    fp = compile_frame(plan)
    if fp.layout.arrays:
        raise UsageError("arrays (JSON Array, Repeating Element, name[n]) are not written yet")
    visible = tuple(i for i, s in enumerate(fp.layout.slots) if not s.hidden and not s.structural)
    names = [fp.layout.slots[i].path for i in visible]
    text = plan.fmt != "parquet"
    frame = framing(plan.fmt, names, pretty=plan.pretty, eol=plan.eol, bom=plan.bom)
    separator = frame.separator.decode()
    return Compiled(
        fp,
        visible,
        template(plan.fmt, names, pretty=plan.pretty, separator=separator, eol=plan.eol)
        if text
        else None,
        frame if text else None,
        json_template(names, pretty=False, suffix="\n") if plan.truth else None,
    )


def compile_plan(plan: Plan) -> Compiled:
    """Build (and cache) the plan's fields; raises SchemaError for bad options or formulas.

    A few rows are made once here, so that a formula that fails on the values it meets
    (like a date plus a text) stops the run before the output is touched.
    """
    key = plan.key()
    if key not in _CACHE:
        compiled = _compile(plan)
        if any(f.formula is not None for f in compiled.frame.fields):
            probe = replace(with_rows(plan, PROBE_ROWS), chunk_rows=PROBE_ROWS)
            make_frame(probe, compiled.frame, 0)
        _CACHE.clear()  # one plan at a time: keep memory flat across many generate() calls
        _CACHE[key] = compiled
    return _CACHE[key]


def make_columns(plan: Plan, index: int, compiled: Compiled) -> tuple[list[Column], tuple | None]:
    """Every written field's column for chunk `index`, and (positions, keys, versions)."""
    frame = make_frame(plan, compiled.frame, index)
    return [frame.columns[i] for i in compiled.visible], frame.located


def _select(col: Column, order: np.ndarray) -> Column:
    bare = col.bare.take(order) if col.bare is not None else None
    return Column(col.values.take(order), bare)


def _truth(plan: Plan, compiled: Compiled, columns: Sequence[Column], located: tuple) -> TruthPart:
    positions, keys, versions = located
    assert plan.versions is not None and compiled.truth_template is not None
    rows = np.flatnonzero(plan.versions.winners(positions, keys, versions))
    order = rows[np.argsort(keys[rows], kind="stable")]
    lines = render(compiled.truth_template, [json_values(_select(c, order)) for c in columns])
    sizes = np.asarray(pc.binary_length(lines), dtype=np.int64)
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return TruthPart(keys[order], offsets, as_bytes(lines))


def _text(plan: Plan, compiled: Compiled, index: int, columns: Sequence[Column]) -> bytes:
    assert compiled.template is not None and compiled.framing is not None
    frame = compiled.framing
    body = encode_rows(plan.fmt, compiled.template, columns)
    if index == 0:
        body = frame.header + body
    if index == plan.chunks - 1:
        if plan.fmt == "json" and body.endswith(frame.separator):
            body = body[: -len(frame.separator)]
        body += frame.footer
    return gzip_member(body) if plan.gz else body


def run_chunk(task: ChunkTask) -> ChunkResult:
    """The worker entry point: generate, encode and (for .gz) compress one chunk."""
    plan, index = task.plan, task.index
    compiled = compile_plan(plan)
    columns, located = make_columns(plan, index, compiled)
    truth = _truth(plan, compiled, columns, located) if plan.truth and located is not None else None
    _, n = plan.chunk_span(index)
    if plan.fmt == "parquet":
        return ChunkResult(index, n, batch=record_batch(compiled.names, columns), truth=truth)
    return ChunkResult(index, n, data=_text(plan, compiled, index, columns), truth=truth)
