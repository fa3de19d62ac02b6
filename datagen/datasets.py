"""Datasets: local CSV files (`--dataset name=path.csv`) that fields and formulas draw from.

    Dataset Column   a value from one column: random rows, rows in order (sequential), or
                     rows weighted by a numeric column (weighted, `weightColumn`)
    from_dataset("customers", "name", id: customer_id)   the `name` of the row whose `id`
                     equals this row's customer_id (nil when none does)

Dataset Column fields that read the same dataset the same way take the same row in a record,
so `customer_id` and `customer_name` agree: that is how a generated orders file gets foreign
keys into a generated customers file. The draws come from the run's seed and the dataset's
name, never from the file's order on disk being shuffled, so the output is the same for any
--workers. Datasets are read once per process and cached by path, size and modification time.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from datagen.errors import SchemaError, UsageError
from datagen.types.options import Options

__all__ = [
    "DatasetRef",
    "Draw",
    "dataset_draw",
    "load_dataset",
    "lookup_rows",
    "parse_datasets",
]

STYLES = ("random", "sequential", "weighted")


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """A dataset as the plan knows it: its name, file, and the file's size and mtime."""

    name: str
    path: str
    size: int
    mtime_ns: int


def parse_datasets(
    specs: Sequence[str] | Mapping[str, str | os.PathLike[str]] | None,
) -> tuple[DatasetRef, ...]:
    """`["customers=c.csv", ...]` (or a {name: path} mapping) as checked DatasetRefs."""
    if not specs:
        return ()
    pairs: list[tuple[str, str]] = []
    if isinstance(specs, Mapping):
        pairs = [(str(k), os.fspath(v)) for k, v in specs.items()]
    else:
        for spec in specs:
            name, sep, path = str(spec).partition("=")
            if not sep or not name.strip() or not path.strip():
                raise UsageError(f"--dataset must be NAME=PATH.csv, got {spec!r}")
            pairs.append((name.strip(), path.strip()))
    refs: dict[str, DatasetRef] = {}
    for name, path in pairs:
        if name in refs:
            raise UsageError(f"--dataset {name!r} is given twice; name each dataset once")
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise UsageError(f"--dataset {name}: cannot read {path!r}: {exc.strerror}") from exc
        refs[name] = DatasetRef(name, str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    return tuple(refs.values())


def _plain_types(table: pa.Table) -> pa.Table:
    """Columns of whole numbers, numbers, booleans or text (anything else becomes its text)."""
    columns = []
    for column in table.columns:
        t = column.type
        keep = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
        if pa.types.is_integer(t):
            column = column.cast(pa.int64())
        elif not keep:
            column = column.cast(pa.string())
        columns.append(column.combine_chunks())
    return pa.Table.from_arrays(columns, names=table.column_names)


@lru_cache(maxsize=16)
def load_dataset(ref: DatasetRef) -> pa.Table:
    """The dataset's rows (types inferred by Arrow; dates stay text as written)."""
    try:
        table = pv.read_csv(ref.path, convert_options=pv.ConvertOptions(timestamp_parsers=[]))
    except (pa.ArrowInvalid, OSError) as exc:
        raise UsageError(f"--dataset {ref.name}: {ref.path!r} is not a readable CSV file: "
                         f"{str(exc).splitlines()[0]}") from exc  # fmt: skip
    if table.num_rows == 0:
        raise UsageError(f"--dataset {ref.name}: {ref.path!r} has no rows")
    return _plain_types(table)


def find(datasets: Mapping[str, DatasetRef], name: object, where: str) -> DatasetRef:
    """The dataset called `name`; SchemaError naming the datasets given when it is unknown."""
    if isinstance(name, str) and name in datasets:
        return datasets[name]
    given = ", ".join(repr(n) for n in datasets) or "none"
    raise SchemaError(
        f"{where}: dataset {name!r} was not given; pass --dataset {name}=PATH.csv "
        f"(datasets given: {given})"
    )


def column(table: pa.Table, name: object, where: str, ref: DatasetRef) -> pa.Array:
    """The dataset column `name`; SchemaError naming the closest columns."""
    if isinstance(name, str) and name in table.column_names:
        return table.column(name).chunk(0) if table.num_rows else table.column(name)
    close = difflib.get_close_matches(str(name), table.column_names, n=3, cutoff=0.5)
    hint = (
        f"closest: {', '.join(map(repr, close))}"
        if close
        else (f"its columns: {', '.join(table.column_names)}")
    )
    raise SchemaError(f"{where}: dataset {ref.name!r} has no column {name!r} ({hint})")


@dataclass(frozen=True, slots=True)
class Draw:
    """How a Dataset Column field picks rows: its dataset, style and weights."""

    ref: DatasetRef
    style: str
    weights: np.ndarray | None  # cumulative, for weighted

    @property
    def key(self) -> tuple[str, str, bytes]:
        """Fields with the same key take the same row in a record."""
        return (self.ref.name, self.style, b"" if self.weights is None else self.weights.tobytes())

    def rows(self, rng: np.random.Generator, positions: np.ndarray) -> np.ndarray:
        size = load_dataset(self.ref).num_rows
        if self.style == "sequential":
            return positions % size
        if self.weights is None:
            return rng.integers(0, size, len(positions))
        return np.searchsorted(self.weights, rng.random(len(positions)), side="right").clip(
            0, size - 1
        )


def dataset_draw(opts: Options, datasets: Mapping[str, DatasetRef]) -> tuple[Draw, pa.Array]:
    """A Dataset Column field's draw and the column its values come from."""
    ref = find(datasets, opts.text("dataset", ""), opts.where)
    table = load_dataset(ref)
    values = column(table, opts.text("column", ""), opts.where, ref)
    style = opts.choice("selectionStyle", STYLES, "random")
    weights = None
    if style == "weighted":
        raw = column(table, opts.text("weightColumn", ""), opts.where, ref)
        if not (pa.types.is_integer(raw.type) or pa.types.is_floating(raw.type)):
            raise opts.fail("weightColumn", f"must name a numeric column, not {raw.type}")
        w = np.asarray(pc.fill_null(raw.cast(pa.float64()), 0.0))
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise opts.fail("weightColumn", "must hold non-negative numbers with a positive sum")
        weights = np.cumsum(w) / w.sum()
    elif opts.has("weightColumn"):
        raise opts.fail("weightColumn", "only applies to selectionStyle 'weighted'")
    return Draw(ref, style, weights), values


def lookup_rows(table: pa.Table, key: str, values: pa.Array) -> pa.Array:
    """The first dataset row whose `key` column equals each value (null where none does)."""
    keys = table.column(key).combine_chunks()
    probe = values
    if probe.type != keys.type:
        keys, probe = keys.cast(pa.string()), pc.cast(probe, pa.string())
    return pc.index_in(probe, value_set=keys)
