"""The Python API: `generate(out, ...)` writes a file and returns its Stats."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from datagen.chunk import ChunkTask, compile_plan, run_chunk
from datagen.errors import UsageError
from datagen.plan import Plan, make_plan, parse_size, with_rows
from datagen.publish import Target
from datagen.run import execute, frozen_heap

__all__ = ["Stats", "generate"]

SIZE_SAMPLE_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class Stats:
    """What a run wrote: rows, bytes, seconds, path; keys and truth path when versioned."""

    rows: int
    bytes: int
    seconds: float
    path: str
    format: str
    workers: int
    keys: int | None = None
    truth: str | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def _rows_for_size(plan: Plan, size: int) -> int:
    """Rows whose output is about `size` bytes, measured on a deterministic sample chunk."""
    sample = replace(with_rows(plan, SIZE_SAMPLE_ROWS), chunk_rows=SIZE_SAMPLE_ROWS, truth=False)
    result = run_chunk(ChunkTask(sample, 0))
    if result.batch is not None:
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_batches([result.batch]), sink, compression="snappy")
        sample_bytes = sink.getvalue().size
    else:
        sample_bytes = len(result.data)  # already compressed for .gz
    return max(1, round(size * SIZE_SAMPLE_ROWS / max(sample_bytes, 1)))


def _rows(plan: Plan, rows: Any, size: Any) -> int:
    if rows is not None and size is not None:
        raise UsageError("give exactly one of --rows N or --size SIZE")
    if rows is None and size is None:
        rows = plan.schema.settings.rows
        if rows is None:
            raise UsageError(
                "give --rows N or --size SIZE (or num_rows in the schema, as Mockaroo's "
                "exports have)"
            )
    if size is not None:
        return _rows_for_size(plan, parse_size(size))
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise UsageError(f"--rows must be a whole number of at least 0, got {rows!r}")
    return rows


def generate(
    out: str | Path,
    *,
    preset: str | None = None,
    schema: str | Path | list[dict[str, Any]] | None = None,
    rows: int | None = None,
    size: str | int | None = None,
    seed: int = 0,
    fmt: str | None = None,
    versions: int | str | None = None,
    key_field: str | None = None,
    timestamp_field: str = "updated_at",
    truth: str | Path | None = None,
    ties: float = 0.0,
    timestamp_style: str = "iso-z",
    workers: int = 1,
    locale: str = "en_US",
    pretty: bool = False,
    line_ending: str | None = None,
    bom: bool = False,
    header: bool | None = None,
    quiet: bool = True,
    overwrite: bool = True,
    delimiter: str | None = None,
    quote_char: str | None = None,
    table_name: str | None = None,
    create_table: bool = False,
    insert_batch: int | None = None,
    xml_root: str | None = None,
    xml_record: str | None = None,
    include_nulls: bool = True,
    datasets: Mapping[str, str | Path] | Sequence[str] | None = None,
    emails_from_names: bool | None = None,
) -> Stats:
    """Write `rows` (or about `size` bytes of) mock records to `out`; see docs/datagen.md.

    Raises SchemaError for a bad schema and DatagenError for anything else the caller can fix;
    str(error) is one sentence naming what, where and the remedy. Like Python's own file
    writers, it replaces an existing `out` (and `truth`) unless `overwrite=False`; the command
    line refuses unless --overwrite.
    """
    started = time.perf_counter()
    # a folder, or an existing file without overwrite, fails here, before any work
    Target(out, overwrite=overwrite)
    if truth is not None:
        Target(truth, "truth file", overwrite=overwrite)
        if Path(truth).resolve() == Path(out).resolve():
            raise UsageError("--truth must be another file than the output")
    plan = make_plan(
        str(out),
        preset=preset,
        schema=schema,
        seed=seed,
        fmt=fmt,
        versions=versions,
        key_field=key_field,
        timestamp_field=timestamp_field,
        truth=truth,
        ties=ties,
        timestamp_style=timestamp_style,
        workers=workers,
        locale=locale,
        pretty=pretty,
        line_ending=line_ending,
        bom=bom,
        header=header,
        delimiter=delimiter,
        quote_char=quote_char,
        table_name=table_name,
        create_table=create_table,
        insert_batch=insert_batch,
        xml_root=xml_root,
        xml_record=xml_record,
        include_nulls=include_nulls,
        datasets=datasets,
        emails_from_names=emails_from_names,
    )
    with frozen_heap():  # the modules' data (Faker's) stays out of garbage collections
        compile_plan(plan)  # validate every option and build pools before touching the output
        plan = with_rows(plan, _rows(plan, rows, size))
        nbytes = execute(plan, out, truth, workers, quiet, overwrite)
    keys = plan.versions.keys if plan.versions is not None else None
    return Stats(
        plan.rows,
        nbytes,
        time.perf_counter() - started,
        str(out),
        plan.fmt,
        workers,
        keys,
        str(truth) if truth is not None else None,
    )
