"""Bad records on the map side: which exceptions reject a record, and where rejects go.

A bad record stops the task with a located error, or, with --skip-bad-records, becomes one
line of the task's reject log (gathered into OUT/_rejects.jsonl at commit).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import msgspec
import orjson

from mapreduce.errors import BadRecord, BadRecordError, shown
from mapreduce.formats.files import Split
from mapreduce.formats.lines import LineCounter
from mapreduce.formats.ndjson import TRUNCATED
from mapreduce.worker.tasks import MapTask

__all__ = ["RECORD_ERRORS", "Rejects", "reason_of"]

# Exceptions from map() that reject one record rather than fail the task: a job's
# explicit BadRecord, and the errors a missing or mistyped field raises.
RECORD_ERRORS = (BadRecord, KeyError, ValueError, TypeError, IndexError)
_MISSING = object()


def reason_of(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, BadRecord) else f"{type(exc).__name__}: {text}"


def _encode(row: dict[str, Any]) -> bytes:
    """A reject line; records with ints beyond 64 bits (which orjson refuses) too."""
    try:
        return orjson.dumps(row, default=repr)
    except TypeError:
        return msgspec.json.encode(row, enc_hook=repr)


# A job of records over a text file: every line is refused, so skipping them is no remedy.
_TEXT_HINT = (
    "; a line of a text file has no fields: this job reads JSON, CSV or Parquet records "
    "(--input-format names the format when the file's extension does not)"
)


# An NDJSON file whose first line is a value cut short (TRUNCATED) is most often one
# pretty-printed value (a .json file that is no array is read as NDJSON).
_SPANS_LINES = (
    "; a value spread over lines (pretty-printed JSON) is not NDJSON: write one value per "
    "line, or the records as a JSON array in a .json file"
)


# Inputs are read as UTF-8; a file Excel or an older system wrote is often Windows-1252.
_ENCODING = (
    "; inputs are read as UTF-8: a file in another encoding (Windows-1252 or Latin-1, as "
    "Excel often writes) must be converted first, e.g. iconv -f cp1252 -t utf-8"
)


def _hint(reason: str, location: str, record: Any, params: tuple[tuple[str, Any], ...]) -> str:
    """What the error adds to a bad record's reason to say what to do (the reason itself
    is what `_rejects.jsonl` keeps, unchanged); "" when nothing more is known."""
    if reason == TRUNCATED and location == "line 1":
        return _SPANS_LINES
    if reason.startswith("invalid UTF-8"):
        return _ENCODING
    return _field_hint(reason, record, params)


def _field_hint(reason: str, record: Any, params: tuple[tuple[str, Any], ...]) -> str:
    """For a missing field: the fields the record has, and the parameter naming the field
    (a CSV whose key column is user_id, not id, fails on its first record)."""
    if not reason.startswith("missing field ") or not isinstance(record, dict) or not record:
        return ""
    names = [str(name) for name in itertools.islice(record, 8)]
    if len(record) == 1 and (delimiter := _delimiter_in(names[0])):
        return (
            f"; the record has one field, {shown(names[0])}: if the file's fields are "
            f"separated by {delimiter}, pass --delimiter {delimiter}"
        )
    more = ", ..." if len(record) > 8 else ""
    hint = f"; the record has {', '.join(names)}{more}"
    for name, value in params:
        if isinstance(value, str) and reason == f"missing field {value!r}":
            return f"{hint}, and -p {name}=FIELD names another field"
    return hint


def _delimiter_in(name: str) -> str:
    """How to spell the separator a one-column CSV header seems to hold (';', tab, '|'),
    or "" (a semicolon-separated file read with commas is one column)."""
    counts = {"';'": name.count(";"), "tab": name.count("\t"), "'|'": name.count("|")}
    spelled, most = max(counts.items(), key=lambda item: item[1])
    return spelled if most else ""


class Rejects:
    """The on_bad callback: stop the task with a located error, or log a reject and go on."""

    def __init__(self, task: MapTask) -> None:
        self.task = task
        self.count = 0
        self.path: str | None = None
        self._handle: Any = None
        self._split: Split | None = None
        self._lines: LineCounter | None = None
        if isinstance(task.source, Split):
            self.reading(task.source)

    def reading(self, split: Split) -> None:
        """Locate the next bad records in this split's file (a task may read several)."""
        if self._split is not None and self._split.file == split.file:
            return
        if self._lines is not None:
            self._lines.close()
        self._split, self._lines = split, LineCounter(split.file)

    def where(self, position: int) -> tuple[str, str]:
        source = self.task.source
        if not isinstance(source, Split):
            return source.label, f"record {position + 1}"
        assert self._split is not None and self._lines is not None
        return self._split.file.path, self._lines.describe(position)

    def __call__(self, position: int, reason: str, record: Any = _MISSING) -> None:
        path, location = self.where(position)
        if not self.task.skip_bad:
            text = self._split is not None and self._split.file.format == "text"
            if text and isinstance(record, str) and reason.endswith("not an object"):
                raise BadRecordError(f"{path} {location}: {reason}{_TEXT_HINT}")
            hint = _hint(reason, location, record, self.task.job.params)
            raise BadRecordError(
                f"{path} {location}: {reason}{hint} (pass --skip-bad-records to skip bad records)"
            )
        self.count += 1
        limit = self.task.max_bad
        if limit is not None and self.count > limit:
            msg = (
                f"more than {limit} bad records (--max-bad-records); "
                f"last: {path} {location}: {reason}"
            )
            raise BadRecordError(msg)
        row: dict[str, Any] = {"file": path, "location": location, "reason": reason}
        if record is not _MISSING:
            row["record"] = record
        if self._handle is None:
            self.path = os.path.join(self.task.work_dir, f"rejects-{self.task.task_id}.jsonl")
            self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._handle.write(_encode(row) + b"\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._lines is not None:
            self._lines.close()
