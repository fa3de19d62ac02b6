"""The plan of one run: validated arguments, the final schema, and the chunk layout.

`make_plan` turns what generate() was given into a frozen Plan or raises one DatagenError
sentence. The plan is all a worker needs: chunk i holds rows [i·chunk_rows, (i+1)·chunk_rows),
a fixed split independent of --workers, which is why any worker count writes the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from datagen.datasets import DatasetRef, parse_datasets
from datagen.errors import SchemaError, UsageError
from datagen.outputs import Output, make_output
from datagen.presets import preset_schema
from datagen.schema import FieldSpec, Schema, Settings, load_schema, parse_schema
from datagen.timestamps import STYLES
from datagen.types.dates import timestamp_range
from datagen.types.pools import known_locale
from datagen.versions import VersionPlan, parse_versions
from datagen.writers import detect_format, extension_format

__all__ = ["CHUNK_ROWS", "KEY_TYPES", "Plan", "make_plan", "parse_size"]

CHUNK_ROWS = 50_000
KEY_TYPES = ("Row Number", "Sequence", "GUID")
_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything that decides the output bytes (and nothing that does not, like --workers)."""

    schema: Schema
    rows: int
    seed: int
    locale: str
    fmt: str
    gz: bool
    output: Output
    chunk_rows: int = CHUNK_ROWS
    versions: VersionPlan | None = None
    key_field: str | None = None
    timestamp_field: str | None = None
    style: str = "iso-z"
    truth: bool = False
    datasets: tuple[DatasetRef, ...] = ()

    @property
    def chunks(self) -> int:
        """How many chunks; an empty file still has one (empty) chunk, for its framing."""
        return max(1, -(-self.rows // self.chunk_rows))

    def key(self) -> bytes:
        """A canonical encoding of what compiled samplers depend on (a per-process cache key)."""
        return orjson.dumps(
            [
                self.schema.key().decode(),
                self.seed,
                self.locale,
                repr(self.output),
                self.truth,
                repr(self.datasets),
            ]
        )

    def chunk_span(self, index: int) -> tuple[int, int]:
        start = index * self.chunk_rows
        return start, max(0, min(self.chunk_rows, self.rows - start))


def parse_size(text: str | int) -> int:
    """Bytes of "2GB", "500MiB", "1e6" or a plain number."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmgt]i?b|b)?\s*", str(text).lower())
    if not m or float(m[1]) <= 0:
        raise UsageError(f"--size must be a positive size like 500MB or 2GB, got {text!r}")
    return int(float(m[1]) * _UNITS[m[2] or ""])


def _schema(preset: str | None, schema: Any) -> Schema:
    if (preset is None) == (schema is None):
        raise UsageError("give exactly one of --schema FILE or --preset NAME")
    if preset is not None:
        return preset_schema(preset)
    if isinstance(schema, str | Path):
        return load_schema(schema)
    return parse_schema(schema)


def _export_format(out: str, fmt: str | None, schema: Schema) -> str | None:
    """The format a schema export names, for an OUT whose extension names none."""
    given = schema.settings.fmt_given
    if fmt is not None or given is None or schema.settings.fmt is not None:
        return schema.settings.fmt
    if extension_format(out) is not None:
        return None  # the extension decides
    raise UsageError(
        f"{schema.source} asks for file_format {given!r}, which datagen does not write; name "
        f"{out!r} .jsonl, .json, .csv, .tsv, .sql, .xml, .parquet or .txt, or pass --format"
    )


def _with_settings(args: dict[str, Any], settings: Settings, fmt: str) -> dict[str, Any]:
    """generate()'s output options, with the export's header and line ending where the
    caller gave none (and where they apply: a Parquet file has neither)."""
    merged = dict(args)
    if merged.get("line_ending") is None:
        text = fmt != "parquet" and settings.line_ending is not None
        merged["line_ending"] = settings.line_ending if text else "unix"
    if merged.get("header") is None and fmt in ("csv", "tsv") and settings.header is not None:
        merged["header"] = settings.header
    return merged


def _versioned_schema(schema: Schema, key_field: str | None, ts_field: str) -> tuple[Schema, str]:
    """Make sure the key and timestamp fields exist; add `id`/the timestamp field if absent."""
    fields = list(schema.fields)
    key = key_field or "id"
    found = schema.find(key)
    if found is None and key_field is not None:
        raise UsageError(
            f"--key-field {key_field!r} is not a field of {schema.source}; "
            f"choose one of {schema.names()}"
        )
    if found is None:
        fields.insert(0, FieldSpec(0, "id", "Row Number"))
    elif found.type not in KEY_TYPES:
        raise SchemaError(
            f"{found.where}: the key field of --versions must be of type "
            f"{', '.join(KEY_TYPES)}, not {found.type!r}; pass --key-field"
        )
    if schema.find(ts_field) is None:
        fields.append(FieldSpec(0, ts_field, "Datetime"))
    fields = [replace(f, index=i) for i, f in enumerate(fields)]
    return replace(schema, fields=tuple(fields)), key


def _check_options(args: dict[str, Any]) -> None:
    if (
        isinstance(args["seed"], bool)
        or not isinstance(args["seed"], int)
        or not 0 <= args["seed"] < 2**63
    ):
        raise UsageError(f"--seed must be a whole number from 0 to 2**63-1, got {args['seed']!r}")
    if (
        isinstance(args["workers"], bool)
        or not isinstance(args["workers"], int)
        or args["workers"] < 1
    ):
        raise UsageError(f"--workers must be a whole number of at least 1, got {args['workers']!r}")
    if not known_locale(args["locale"]):
        raise UsageError(
            f"unknown --locale {args['locale']!r}; use a Faker locale such as en_US, de_DE or fr_FR"
        )
    if args["timestamp_style"] not in STYLES:
        raise UsageError(
            f"--timestamp-style must be one of {', '.join(STYLES)}, got {args['timestamp_style']!r}"
        )
    ties = args["ties"]
    if isinstance(ties, bool) or not isinstance(ties, int | float) or not 0 <= ties <= 1:
        raise UsageError(f"--ties must be a share from 0 to 1, got {ties!r}")


def _versions(
    args: dict[str, Any], schema: Schema
) -> tuple[Schema, VersionPlan | None, str | None]:
    """The schema (with key and timestamp fields ensured), version plan and key, if versioned."""
    versions = args["versions"]
    if versions is None and args["truth"] is not None:
        versions = 1  # a truth file of plain records: every key once
    ts_field = args["timestamp_field"]
    if versions is None:
        if args["ties"]:
            raise UsageError("--ties needs --versions (ties are between versions of one key)")
        if args["timestamp_style"] != "iso-z" and schema.find(ts_field) is None:
            raise UsageError(
                f"--timestamp-style applies to the field {ts_field!r}, which {schema.source} "
                "lacks; pass --timestamp-field"
            )
        return schema, None, None
    low, high = parse_versions(versions)
    if args["ties"] and high < 2:
        raise UsageError("--ties needs at least 2 versions per key")
    schema, key = _versioned_schema(schema, args["key_field"], ts_field)
    first, last = timestamp_range(schema.find(ts_field))
    return schema, VersionPlan(0, low, high, args["seed"], float(args["ties"]), first, last), key


def make_plan(out: str, **args: Any) -> Plan:
    """Validate generate()'s arguments (except rows/size) and build the plan with rows=0."""
    _check_options(args)
    schema = _schema(args["preset"], args["schema"])
    fmt, gz = detect_format(out, args["fmt"], _export_format(out, args["fmt"], schema))
    output = make_output(out, fmt, _with_settings(args, schema.settings, fmt))
    schema, vplan, key = _versions(args, schema)
    if args.get("emails_from_names") is not None:
        schema = replace(schema, emails_from_names=bool(args["emails_from_names"]))
    style = args["timestamp_style"]
    styled = args["timestamp_field"] if vplan is not None or style != "iso-z" else None
    return Plan(
        schema, 0, args["seed"], args["locale"], fmt, gz, output,
        chunk_rows=CHUNK_ROWS, versions=vplan, key_field=key, timestamp_field=styled,
        style=style, truth=args["truth"] is not None,
        datasets=parse_datasets(args.get("datasets")),
    )  # fmt: skip


def with_rows(plan: Plan, rows: int) -> Plan:
    """The plan for exactly `rows` records."""
    versions = replace(plan.versions, rows=rows) if plan.versions is not None else None
    return replace(plan, rows=rows, versions=versions)
