"""What crosses the boundary between the engine and a sink: load spec, tasks, results, errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from mapreduce.errors import SinkError
from mapreduce.sinks.url import MODES, SinkURL

__all__ = ["MODES", "UNITS", "LoadResult", "LoadSpec", "SinkError", "StageResult", "StageTask"]

UNITS = ("s", "ms", "us")
BATCH_ROWS = 20_000  # rows per executemany / COPY flush: big enough to amortise, small in memory


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """How one run loads its part files into one table.

    `mode` None resolves to upsert-latest when `timestamp_field` is set, else upsert.
    `columns` (logical types, e.g. `from_arrow(parquet_schema)`) come first and are widened
    by what the records hold; without them the types are inferred from the records alone.
    """

    url: SinkURL
    key_field: str
    timestamp_field: str | None = None
    timestamp_unit: str = "s"
    mode: str | None = None
    batch_rows: int = BATCH_ROWS
    busy_timeout_s: float = 60.0  # SQLite: how long one attempt waits for the write lock
    columns: tuple[tuple[str, str], ...] = ()  # declared types, e.g. from_arrow(schema)

    def __post_init__(self) -> None:
        mode = self.mode or self.url.mode or ("upsert-latest" if self.timestamp_field else "upsert")
        object.__setattr__(self, "mode", mode)
        if mode not in MODES:
            raise SinkError(f"load mode {mode!r} is not one of {', '.join(MODES)}")
        if mode == "upsert-latest" and not self.timestamp_field:
            raise SinkError(
                f"mode=upsert-latest into {self.url.redacted} needs the job's "
                "timestamp field: pick a job with one, or use mode=upsert"
            )
        if self.timestamp_unit not in UNITS:
            raise SinkError(f"timestamp unit {self.timestamp_unit!r} is not one of s, ms, us")
        if self.timestamp_field == self.key_field:
            raise SinkError(
                f"key field and timestamp field are both {self.key_field!r}: "
                "give the job a separate timestamp field"
            )

    @property
    def table(self) -> str:
        """The target table's name (without schema)."""
        return self.url.table

    @property
    def has_instant(self) -> bool:
        """Whether rows carry their timestamp's instant in a column of its own."""
        return self.timestamp_field is not None


@dataclass(frozen=True, slots=True)
class StageTask:
    """One reduce partition's part file (NDJSON) to stage for run `run_id`."""

    run_id: str
    partition: int
    path: str
    spec: LoadSpec


@dataclass(frozen=True, slots=True)
class StageResult:
    """A staged partition: its rows and the column types inferred from them.

    `columns` pairs each field (first-appearance order) with its logical type
    (boolean, integer, bigint, float, text, json; see `columns.py`).
    """

    partition: int
    rows: int
    columns: tuple[tuple[str, str], ...]
    staging_table: str | None = None  # PostgreSQL: where the rows wait for apply_load


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one apply_load did to the table."""

    target: str  # the redacted URL
    rows_read: int
    rows_written: int  # inserted or updated; upsert-latest skips rows older than the table's
    partitions: tuple[int, ...] = field(default=())
    already_loaded: bool = False  # the marker table says this run was applied before
