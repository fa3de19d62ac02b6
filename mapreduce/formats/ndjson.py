"""NDJSON: one JSON value per line. The reader for one split and the writer for job output.

Numbers are exact (issue 8): msgspec reads integers of any size as ints (orjson 3.8 turns
ints beyond 64 bits into floats, so two big ids would merge into one key), and the writer
writes such ints digit for digit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import orjson

from mapreduce.formats.chunks import is_utf8, lines_from, stop_of
from mapreduce.formats.files import Split
from mapreduce.formats.raw import RawJSON
from mapreduce.keys import sort_key

__all__ = [
    "DECODE",
    "TRUNCATED",
    "DecodeError",
    "NdjsonWriter",
    "dumps",
    "json_reason",
    "read",
    "read_with_bytes",
    "sets_sorted",
]

# Non-string keys (ints from a reduce, say) become strings instead of failing the job;
# numpy scalars and arrays are written as JSON numbers and lists.
_DUMP_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
DECODE = msgspec.json.Decoder().decode  # ints of any size (to Python's 4,300 digits) stay ints
DecodeError = msgspec.DecodeError
_MESSAGE = re.compile(r"^(?:JSON is malformed: )?(.*?)(?: \(byte (\d+)\))?(?: - at `[^`]*`)?$")
_PLAIN = {
    "Input data was truncated": "the value ends before it is complete",  # TRUNCATED
    "Integer value out of range": "an integer with more than 4300 digits",
    "Number out of range": "a number too large for a float",
}


TRUNCATED = "invalid JSON: " + _PLAIN["Input data was truncated"]
"""The reason of a value cut short (a pretty-printed value's first line is one)."""


def read(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """Yield (position, value) for each non-blank line of the split."""
    for pos, value, _ in read_with_bytes(split, on_bad):
        yield pos, value


def read_with_bytes(
    split: Split, on_bad: Callable[[int, str], None]
) -> Iterator[tuple[int, Any, bytes]]:
    """Yield (position, value, line) for each non-blank line of the split.

    The hot loop of every NDJSON job: the buffered file's own line iteration and one
    msgspec decode per line, so the cost on top of the decoder is a tuple, a test and an
    addition. The line (with its line ending) costs nothing extra: jobs that pass records
    through unchanged keep it instead of the parsed value (see RawJSON).
    """
    decode, error = DECODE, DecodeError
    with lines_from(split.file, split.start, stop_of(split)) as (f, pos, stop):
        for line in f:
            if pos >= stop:
                break
            try:
                yield pos, decode(line), line
            except error as exc:
                if line.strip():  # blank lines, "\r\n" included, are not records
                    on_bad(pos, json_reason(exc, line))
            pos += len(line)


def json_reason(exc: msgspec.DecodeError, value: bytes) -> str:
    """A short reason for a JSON `value` the decoder rejected, such as
    "invalid JSON: invalid character at column 12" (line and column within the value)."""
    text = str(exc)
    if "UTF-8" in text or not is_utf8(value):
        return "invalid UTF-8 in a JSON value"
    match = _MESSAGE.match(text)
    what, at = (match.group(1), match.group(2)) if match else (text, None)
    what = _PLAIN.get(what, what)
    if at is None:
        return f"invalid JSON: {what}"
    offset = int(at)
    line = value.count(b"\n", 0, offset) + 1
    column = offset - (value.rfind(b"\n", 0, offset) + 1) + 1
    where = f"line {line}, column {column}" if line > 1 else f"column {column}"
    return f"invalid JSON: {what} at {where}"


def dumps(record: Any) -> bytes:
    """One record as a compact JSON line. Beyond what orjson writes: ints beyond 64 bits
    digit for digit, a Decimal as its exact number, a set as a list in key order (so the
    bytes never depend on hashing); TypeError names any other value JSON cannot hold."""
    try:
        return orjson.dumps(record, option=_DUMP_OPTIONS)
    except TypeError:
        pass
    # msgspec handles the same str and number dict keys; numpy values come back as plain
    # Python ones (enc_hook), and non-finite Decimals are refused with a ValueError.
    try:
        return _ENCODER.encode(sets_sorted(record)) + b"\n"
    except (TypeError, ValueError) as exc:
        msg = f"{exc}; JSON holds dict, list, str, int, float, bool, None (and Decimal, set)"
        raise TypeError(msg) from exc


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


_ENCODER = msgspec.json.Encoder(enc_hook=_plain, decimal_format="number")


def sets_sorted(value: Any) -> Any:
    """The value with every set and frozenset in it as a list in the total order of keys."""
    if isinstance(value, set | frozenset):
        return [sets_sorted(item) for item in sorted(value, key=sort_key)]
    if isinstance(value, dict):
        return {key: sets_sorted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [sets_sorted(item) for item in value]
    return value


class NdjsonWriter:
    """Writes one compact JSON value per line; identical records give identical bytes."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by close()

    def write(self, record: Any) -> None:
        """Append one record; a RawJSON record is written as the bytes it was read as."""
        if type(record) is RawJSON:
            self._file.write(record.line())
        else:
            self._file.write(dumps(record))

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()
