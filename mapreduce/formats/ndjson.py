"""NDJSON: one JSON value per line. The reader for one split and the writer for job output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from mapreduce.formats.chunks import lines_from, stop_of
from mapreduce.formats.files import Split
from mapreduce.formats.raw import RawJSON

__all__ = ["NdjsonWriter", "json_reason", "read", "read_with_bytes"]

# Non-string keys (ints from a reduce, say) become strings instead of failing the job;
# numpy scalars and arrays are written as JSON numbers and lists.
_DUMP_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def read(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """Yield (position, value) for each non-blank line of the split."""
    for pos, value, _ in read_with_bytes(split, on_bad):
        yield pos, value


def read_with_bytes(
    split: Split, on_bad: Callable[[int, str], None]
) -> Iterator[tuple[int, Any, bytes]]:
    """Yield (position, value, line) for each non-blank line of the split.

    The hot loop of every NDJSON job: the buffered file's own line iteration and one
    orjson.loads per line, so the cost on top of orjson is a tuple, a test and an addition.
    The line (with its line ending) costs nothing extra: jobs that pass records through
    unchanged keep it instead of the parsed value (see RawJSON).
    """
    loads, error = orjson.loads, orjson.JSONDecodeError
    with lines_from(split.file, split.start, stop_of(split)) as (f, pos, stop):
        for line in f:
            if pos >= stop:
                break
            try:
                yield pos, loads(line), line
            except error as exc:
                if line.strip():  # blank lines, "\r\n" included, are not records
                    on_bad(pos, json_reason(exc))
            pos += len(line)


def json_reason(exc: orjson.JSONDecodeError) -> str:
    """A short reason for a value orjson rejected, such as
    "invalid JSON: unexpected character at column 12" (line and column within the value)."""
    if "UTF-8" in exc.msg:
        return "invalid UTF-8 in a JSON value"
    where = f"line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
    return f"invalid JSON: {exc.msg} at {where}"


class NdjsonWriter:
    """Writes one compact JSON value per line; identical records give identical bytes."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by close()

    def write(self, record: Any) -> None:
        """Append one record; a RawJSON record is written as the bytes it was read as."""
        if type(record) is RawJSON:
            self._file.write(record.line())
        else:
            self._file.write(orjson.dumps(record, option=_DUMP_OPTIONS))

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()
