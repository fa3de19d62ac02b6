"""One chunk: the worker's whole job. A ChunkTask in, a ChunkResult (bytes or a batch) out.

Each field of chunk i draws from its own numpy stream seeded by (seed, i, field index), so a
chunk's content depends on nothing but the plan and i — not on which process made it, nor on
Faker's shared random state (pools come from their own seeded Faker, see types/pools.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column, as_bytes, with_blanks
from datagen.encode import Template, json_template, json_values, render
from datagen.optioncheck import ReadKeys, check_known, declared_names
from datagen.plan import Plan
from datagen.schema import FieldSpec
from datagen.timestamps import timestamp_column
from datagen.types import Batch, Context, Sampler, lookup
from datagen.types.dates import timestamp_range
from datagen.types.options import Options
from datagen.types.patterns import guid_strings
from datagen.versions import hash64
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
    """A plan's samplers and templates, built once per process."""

    samplers: tuple[Sampler, ...]
    template: Template | None
    framing: Framing | None
    truth_template: Template | None


def _sampler(spec: FieldSpec, ctx: Context) -> Sampler:
    """The field's sampler; SchemaError for a bad option or one its type does not know."""
    kind = lookup(spec.type, spec.where)
    options = ReadKeys(spec.options)
    sampler = kind.build(Options(spec.where, options), ctx)
    check_known(spec.where, kind.name, spec.options, declared_names(kind.options) | options.read)
    return sampler


_CACHE: dict[bytes, Compiled] = {}


def compile_plan(plan: Plan) -> Compiled:
    """Build (and cache) the plan's samplers; raises SchemaError for bad options."""
    key = plan.key()
    if key not in _CACHE:
        ctx = Context(plan.locale, plan.seed)
        names = plan.schema.names()
        text = plan.fmt != "parquet"
        frame = framing(plan.fmt, names, pretty=plan.pretty, eol=plan.eol, bom=plan.bom)
        separator = frame.separator.decode()
        _CACHE.clear()  # one plan at a time: keep memory flat across many generate() calls
        _CACHE[key] = Compiled(
            tuple(_sampler(f, ctx) for f in plan.schema.fields),
            template(plan.fmt, names, pretty=plan.pretty, separator=separator, eol=plan.eol)
            if text
            else None,
            frame if text else None,
            json_template(names, pretty=False, suffix="\n") if plan.truth else None,
        )
    return _CACHE[key]


def _rng(plan: Plan, index: int, field: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([plan.seed, index, field, stream])


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


def _timestamps(
    spec: FieldSpec, plan: Plan, rng: np.random.Generator, located: tuple | None, n: int
) -> Column:
    if located is not None and plan.versions is not None:
        instants = plan.versions.instants(*located)
    else:
        lo, hi = timestamp_range(spec)
        instants = rng.integers(lo, hi + 1, n, dtype=np.int64)
    return timestamp_column(instants, plan.style, rng)


def make_columns(plan: Plan, index: int, compiled: Compiled) -> tuple[list[Column], tuple | None]:
    """Every field's column for chunk `index`, and (positions, keys, versions) when versioned."""
    start, n = plan.chunk_span(index)
    positions = np.arange(start, start + n, dtype=np.int64)
    located = plan.versions.locate(positions) if plan.versions is not None else None
    columns = []
    for i, (spec, sampler) in enumerate(zip(plan.schema.fields, compiled.samplers, strict=True)):
        rng = _rng(plan, index, i, 0)
        if located is not None and spec.name == plan.key_field:
            columns.append(Column(_key_values(spec, plan, located[0])))
            continue
        if spec.name == plan.timestamp_field:
            columns.append(_timestamps(spec, plan, rng, located, n))
            continue
        values = sampler(Batch(start, n, rng))
        blank = (
            _rng(plan, index, i, 1).random(n) * 100 < spec.percent_blank
            if spec.percent_blank
            else None
        )
        columns.append(Column(with_blanks(values, blank)))
    return columns, (positions, *located) if located is not None else None


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
        return ChunkResult(index, n, batch=record_batch(plan.schema.names(), columns), truth=truth)
    return ChunkResult(index, n, data=_text(plan, compiled, index, columns), truth=truth)
