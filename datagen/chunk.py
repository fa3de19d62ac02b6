"""One chunk: the worker's whole job. A ChunkTask in, a ChunkResult (bytes or a batch) out.

Each field of chunk i draws from its own numpy stream seeded by (seed, i, field index), so a
chunk's content depends on nothing but the plan and i — not on which process made it, nor on
Faker's shared random state (pools come from their own seeded Faker, see types/pools.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, as_buffer, as_bytes
from datagen.errors import SchemaError, UsageError
from datagen.frame import Frame, FramePlan, compile_frame, make_frame
from datagen.layout import Leaf
from datagen.outputs import TextFormat
from datagen.plan import Plan, with_rows
from datagen.records import RowView, json_records
from datagen.writers import gzip_member, record_batch, text_format

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
    data: bytes | pa.Buffer = b""
    batch: pa.RecordBatch | None = None
    truth: TruthPart | None = None
    size: int = 0  # bytes a worker already wrote into the output (see placement.py)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A plan's fields and its format's writer, built once per process."""

    frame: FramePlan
    text: TextFormat | None  # None for Parquet


_CACHE: dict[bytes, Compiled] = {}
PROBE_ROWS = 16


def _compile(plan: Plan) -> Compiled:
    fp = compile_frame(plan)
    tree = fp.layout.tree
    if not tree.children:
        raise SchemaError(f"{plan.schema.source}: every field is hidden (named __...); "
                          "nothing would be written")  # fmt: skip
    one_value = len(tree.children) == 1 and isinstance(tree.children[0][1], Leaf)
    if plan.fmt == "text" and not one_value:
        raise UsageError(
            f"a .txt file holds one value per line, but the schema writes {len(tree.children)} "
            "fields; use .jsonl, .csv or .parquet"
        )
    return Compiled(fp, None if plan.fmt == "parquet" else text_format(tree, plan.output))


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


def _view(frame: Frame) -> RowView:
    return RowView(frame.rows, frame.columns, [level.offsets for level in frame.levels])


def _selected(frame: Frame, rows: np.ndarray) -> RowView:
    """The view of some records (flat layouts: their columns are taken row by row)."""
    picked = {
        slot: Column(c.values.take(rows), c.bare.take(rows) if c.bare is not None else None)
        for slot, c in frame.columns.items()
    }
    return RowView(len(rows), picked, [])


def _truth(plan: Plan, compiled: Compiled, frame: Frame) -> TruthPart:
    assert plan.versions is not None and frame.located is not None
    positions, keys, versions = frame.located
    rows = np.flatnonzero(plan.versions.winners(positions, keys, versions))
    order = rows[np.argsort(keys[rows], kind="stable")]
    tree = compiled.frame.layout.tree
    if frame.levels:  # records with arrays: write them all, keep the winners' lines
        lines = json_records(tree, _view(frame), suffix="\n").take(pa.array(order))
    else:
        lines = json_records(tree, _selected(frame, order), suffix="\n")
    sizes = np.asarray(pc.binary_length(lines), dtype=np.int64)
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return TruthPart(keys[order], offsets, as_bytes(lines))


def _text(plan: Plan, compiled: Compiled, index: int, frame: Frame) -> bytes | pa.Buffer:
    """The chunk's bytes: a view of the records' buffer (no copy) unless the format's header
    or footer joins it (the first or the last chunk) or it is compressed."""
    fmt = compiled.text
    assert fmt is not None
    start, _ = plan.chunk_span(index)
    view = _view(frame)
    records = as_buffer(fmt.records(view, start, plan.rows))
    head = fmt.start(view) if index == 0 else b""
    last = index == plan.chunks - 1
    if not head and not (last and (fmt.trim or fmt.footer)):
        return gzip_member(records) if plan.gz else records
    body = head + records.to_pybytes()
    if last:
        if fmt.trim and body.endswith(fmt.trim):
            body = body[: -len(fmt.trim)]
        body += fmt.footer
    return gzip_member(body) if plan.gz else body


def run_chunk(task: ChunkTask) -> ChunkResult:
    """The worker entry point: generate, encode and (for .gz) compress one chunk."""
    plan, index = task.plan, task.index
    compiled = compile_plan(plan)
    frame = make_frame(plan, compiled.frame, index)
    truth = _truth(plan, compiled, frame) if plan.truth and frame.located is not None else None
    if plan.fmt == "parquet":
        batch = record_batch(compiled.frame.layout.tree, _view(frame))
        return ChunkResult(index, frame.rows, batch=batch, truth=truth)
    return ChunkResult(index, frame.rows, data=_text(plan, compiled, index, frame), truth=truth)
