"""Mockaroo schemas: reading the JSON, checking each field, and the FieldSpec/Schema values.

Accepted shapes: a list of fields (Mockaroo's API body), `{"fields": [...]}`, or a schema
export `{"columns": [...]}`, whose settings (`num_rows`, `file_format`, `array`,
`include_header`, `line_ending`) become the run's defaults (`Settings`). A field is
`{"name", "type", "percentBlank", ...type options}`; `null_percentage` is read as
`percentBlank`; `formula` (any field) is kept apart from the type's options, and an empty
one is ignored. Where each field goes in the record (nesting, arrays, hidden fields) is
datagen.layout's job.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from datagen import structural  # noqa: F401 - registers Formula, Template, JSON Array ...
from datagen.errors import SchemaError
from datagen.types.registry import lookup

__all__ = ["FieldSpec", "Schema", "Settings", "load_schema", "parse_schema"]

# a schema export's file_format -> datagen's format ("json" with "array": false is NDJSON)
_EXPORT_FORMATS = {"csv": "csv", "tsv": "tsv", "json": "json", "sql": "sql", "xml": "xml"}
_RESERVED = {"name", "type", "percentBlank", "null_percentage", "formula"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a schema: position, name (dots nest), canonical type, blanks, options."""

    index: int
    name: str
    type: str
    percent_blank: float = 0.0
    options: Mapping[str, Any] = field(default_factory=dict)
    formula: str | None = None

    @property
    def where(self) -> str:
        """How error messages name this field."""
        return f"fields[{self.index}] {self.name!r}"

    def to_json(self) -> dict[str, Any]:
        """The field in Mockaroo's own spelling."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.percent_blank:
            out["percentBlank"] = self.percent_blank
        out.update(self.options)
        if self.formula is not None:
            out["formula"] = self.formula
        return out


@dataclass(frozen=True, slots=True)
class Settings:
    """A schema export's own settings, used where the command line does not say otherwise.

    `fmt` is datagen's name of the export's format; `fmt_given` is the export's own word,
    kept to name it when datagen writes no such format."""

    rows: int | None = None
    fmt: str | None = None
    fmt_given: str | None = None
    header: bool | None = None
    line_ending: str | None = None


@dataclass(frozen=True, slots=True)
class Schema:
    """An ordered tuple of fields and where they came from (a file or a preset)."""

    fields: tuple[FieldSpec, ...]
    source: str = "schema"
    emails_from_names: bool = True  # the schema's "emailsFromNames" (datagen/emails.py)
    settings: Settings = Settings()

    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def find(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def key(self) -> bytes:
        """A canonical encoding, used to cache compiled samplers per schema."""
        fields = [f.to_json() for f in self.fields]
        return orjson.dumps([fields, self.emails_from_names], option=orjson.OPT_SORT_KEYS)


def load_schema(path: str | Path) -> Schema:
    """Read a Mockaroo schema file; SchemaError says what is wrong with it and where."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise SchemaError(f"schema file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise SchemaError(f"schema file {str(path)!r} cannot be read: {exc.strerror}") from exc
    except orjson.JSONDecodeError as exc:
        raise SchemaError(f"schema file {str(path)!r} is not valid JSON: {exc}") from exc
    return parse_schema(data, source=str(path))


def parse_schema(data: Any, source: str = "schema") -> Schema:
    """Check a decoded schema and return it with canonical type names."""
    emails = True
    settings = Settings()
    if isinstance(data, Mapping):
        emails = data.get("emailsFromNames", True)
        if not isinstance(emails, bool):
            raise SchemaError(f"{source}: 'emailsFromNames' must be true or false, got {emails!r}")
        settings = _settings(data, source)
        data = data.get("fields", data.get("columns"))
    if not isinstance(data, Sequence) or isinstance(data, str | bytes) or not data:
        raise SchemaError(
            f"{source}: a schema must be a non-empty JSON list of fields "
            '(like [{"name": "id", "type": "Row Number"}])'
        )
    fields = tuple(_parse_field(i, raw) for i, raw in enumerate(data))
    _check_names(fields)
    return Schema(fields, source, emails, settings)


def _settings(data: Mapping[str, Any], source: str) -> Settings:
    """The export's num_rows, file_format (with array), include_header and line_ending."""
    rows = data.get("num_rows")
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
        raise SchemaError(
            f"{source}: 'num_rows' must be a whole number of at least 0, got {rows!r}"
        )
    given = data.get("file_format")
    if given is not None and not isinstance(given, str):
        raise SchemaError(f"{source}: 'file_format' must be a string, got {given!r}")
    fmt = _EXPORT_FORMATS.get(given.lower()) if given is not None else None
    array = data.get("array")
    if array is not None and not isinstance(array, bool):
        raise SchemaError(f"{source}: 'array' must be true or false, got {array!r}")
    if fmt == "json" and array is False:
        fmt = "ndjson"
    header = data.get("include_header")
    if header is not None and not isinstance(header, bool):
        raise SchemaError(f"{source}: 'include_header' must be true or false, got {header!r}")
    eol = data.get("line_ending")
    if eol is not None and eol not in ("unix", "windows"):
        raise SchemaError(f'{source}: \'line_ending\' must be "unix" or "windows", got {eol!r}')
    return Settings(rows, fmt, given, header, eol)


def _parse_field(index: int, raw: Any) -> FieldSpec:
    where = f"fields[{index}]"
    if not isinstance(raw, Mapping):
        raise SchemaError(f"{where}: each field must be a JSON object, got {type(raw).__name__}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemaError(f"{where}: 'name' must be a non-empty string, got {name!r}")
    where = f"{where} {name!r}"
    kind = lookup(raw.get("type"), where)
    formula = raw.get("formula")
    if formula is not None and not isinstance(formula, str):
        raise SchemaError(f"{where}: option 'formula' must be a string, got {formula!r}")
    blank = raw.get("percentBlank", raw.get("null_percentage", 0))
    if isinstance(blank, str):
        with contextlib.suppress(ValueError):
            blank = float(blank)
    if (
        isinstance(blank, bool)
        or not isinstance(blank, int | float)
        or not (math.isfinite(blank) and 0 <= blank <= 100)
    ):
        raise SchemaError(
            f"{where}: option 'percentBlank' must be a number from 0 to 100, got {blank!r}"
        )
    options = {k: v for k, v in raw.items() if k not in _RESERVED}
    return FieldSpec(index, name, kind.name, float(blank), options, formula or None)


def _check_names(fields: tuple[FieldSpec, ...]) -> None:
    """Names must be unique (datagen.layout checks how dotted names nest)."""
    seen: dict[str, FieldSpec] = {}
    for f in fields:
        if f.name in seen:
            raise SchemaError(
                f"{f.where}: the name is already used by {seen[f.name].where}; rename one"
            )
        seen[f.name] = f
