"""CSV (RFC 4180: header row, quoted fields with newlines and doubled quotes, CRLF, BOM):
the counting pass, the reader for one split and the writer for job output. An input's
fields are separated by its `InputFile.delimiter`: a comma, a tab for `.tsv`, or what
`--delimiter` names; output is always comma-separated.

A record is a line, or several lines while a quoted field is open: with quotes only ever
doubled inside quoted fields, a byte is inside one exactly when an odd number of '"' come
before it in the file. That parity is the counting pass, and the record boundaries here
follow it alone, so they never depend on the split layout. Fields reach `map` as text.

Every part of one CSV output has the same header (`unify_parts`, before the commit), an
empty part too: a part without rows is its header alone, and an output without a single
record has the one column `value`.
"""

from __future__ import annotations

import csv
import mmap
import os
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

import orjson

from mapreduce.errors import InputError
from mapreduce.formats.chunks import CHUNK, lines_from, open_bytes, stop_of
from mapreduce.formats.files import InputFile, Split, repeated_name
from mapreduce.formats.ndjson import dumps as json_line
from mapreduce.formats.raw import RawJSON

__all__ = [
    "DELIMITER_NAMES",
    "EXTENSION_DELIMITERS",
    "CsvWriter",
    "count_quotes",
    "delimiter_named",
    "read",
    "unify_parts",
]

EMPTY_HEADER = ["value"]  # the header of an output without records
DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
                   "space": " "}  # fmt: skip
EXTENSION_DELIMITERS = {".tsv": "\t", ".tab": "\t"}  # CSV files whose fields a tab separates


def delimiter_named(text: str) -> str:
    """The field separator a name or a character stands for ("tab", "\\t", ";"), or
    ValueError saying what a separator can be."""
    delimiter = DELIMITER_NAMES.get(text.lower(), text)
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\r\n':
        names = ", ".join(DELIMITER_NAMES)
        msg = (
            f"delimiter {text!r} is not one ASCII character other than a quote or a line "
            f"break (names: {names})"
        )
        raise ValueError(msg)
    return delimiter


OnBad = Callable[[int, str], None]


def count_quotes(path: str, start: int, end: int) -> int:
    """The counting pass: the parity (0 or 1) of the '"' bytes in [start, end).

    The file is mapped and searched for the next quote (memchr speed), so a range
    without quotes costs no copy; only stretches that hold quotes are counted.
    """
    if end <= start:
        return 0
    count = 0
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
        at = view.find(b'"', start, end)
        while at >= 0:
            stop = min(at + CHUNK, end)
            count += view[at:stop].count(b'"')
            at = view.find(b'"', stop, end) if stop < end else -1
    return count & 1


def read(split: Split, on_bad: OnBad) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (position, {column: text}) for each data record that starts in the split.

    One csv reader parses the records' texts in a row; `pending` holds their positions
    (and texts, for the rare record the csv module reads differently from the parity).
    """
    header = _header(split.file)
    if header is None:
        return
    names, header_pos = header
    width, delimiter = len(names), split.file.delimiter
    pending: deque[tuple[int, str]] = deque()
    stop = stop_of(split)
    texts = _texts(split.file, split.start, stop, split.state, header_pos, pending, on_bad)
    reader, popleft = csv.reader(texts, strict=True, delimiter=delimiter), pending.popleft
    while True:
        try:
            for row in reader:
                if len(row) == width and len(pending) == 1:
                    yield popleft()[0], dict(zip(names, row, strict=True))
                else:
                    yield from _checked(pending, row, names, delimiter, on_bad)
            return
        except csv.Error:
            yield from _checked(pending, None, names, delimiter, on_bad)


def _checked(
    pending: deque[tuple[int, str]],
    row: list[str] | None,
    names: list[str],
    delimiter: str,
    on_bad: OnBad,
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rare path: a blank row, a row of the wrong width, or a row the csv module read
    across records or could not read, whose records are then parsed one by one."""
    if row is not None and len(pending) == 1:
        rows: Iterable[tuple[int, list[str]]] = [(pending.popleft()[0], row)]
    else:
        rows = _alone(pending, delimiter, on_bad)
    for pos, fields in rows:
        if len(fields) == len(names):
            yield pos, dict(zip(names, fields, strict=True))
        elif fields:
            on_bad(pos, f"expected {len(names)} fields as in the header, found {len(fields)}")


def _alone(
    pending: deque[tuple[int, str]], delimiter: str, on_bad: OnBad
) -> Iterator[tuple[int, list[str]]]:
    """Parse each pending record by itself, reporting those that are malformed."""
    while pending:
        pos, text = pending.popleft()
        try:
            rows = list(csv.reader([text], strict=True, delimiter=delimiter))
        except csv.Error as exc:
            on_bad(pos, f"malformed CSV: {exc}")
            continue
        if len(rows) == 1:
            yield pos, rows[0]


def _header(file: InputFile) -> tuple[list[str], int] | None:
    """The first non-blank record of the file and its position, or None. Records before it
    that are malformed are not reported: the header row is what is missing then."""
    pending: deque[tuple[int, str]] = deque()
    for _ in _texts(file, 0, sys.maxsize, 0, -1, pending, _ignore):
        for pos, row in _alone(pending, file.delimiter, _ignore):
            if row:
                _check_names(file, row, pos)
                return row, pos
    return None


def _check_names(file: InputFile, names: list[str], pos: int) -> None:
    """Refuse a header that names a column twice (files.repeated_name)."""
    if found := repeated_name(names):
        name, first, second = found
        with open_bytes(file) as f:
            line = f.read(pos).count(b"\n") + 1
        msg = (
            f"{file.path} line {line}: the header names column {name!r} twice (fields "
            f"{first} and {second}), so one's values would be lost; rename one"
        )
        raise InputError(msg)


def _ignore(pos: int, reason: str) -> None:
    """An on_bad that ignores the report."""


def _texts(
    file: InputFile,
    start: int,
    stop: int,
    quoted: int,
    after: int,
    pending: deque[tuple[int, str]],
    on_bad: OnBad,
) -> Iterator[str]:
    """The text of each record that starts in [start, stop) and after offset `after` (the
    header), each (position, text) also put in `pending`. A record is a line, or lines
    joined while a quoted field is open; `quoted` is the quote parity at `start`."""
    with lines_from(file, start, stop, partial=True) as (lines, pos, stop):
        # Reading from start - 1 tells whether a record starts at `start` (byte start - 1
        # is a newline outside quotes); until one does, the lines belong to the split before.
        odd, skipping, record_pos, parts = 0, bool(start), pos, []
        for line in lines:
            if skipping and pos == start - 1:
                odd = quoted ^ (line[:1] == b'"')
            odd ^= line.count(b'"') & 1
            pos += len(line)
            if skipping:
                skipping = bool(odd)
            elif odd:
                parts.append(line)
                continue
            elif record_pos > after:
                raw, parts = b"".join([*parts, line]) if parts else line, []
                try:
                    text = raw.decode()
                except UnicodeDecodeError as exc:
                    on_bad(record_pos, _utf8_reason(exc))
                else:
                    pending.append((record_pos, text))
                    yield text
            if pos >= stop:
                return
            record_pos = pos
        if parts and (rest := _decode(b"".join(parts), record_pos, on_bad)) is not None:
            pending.append((record_pos, rest))  # a quoted field still open at the end
            yield rest


def _decode(raw: bytes, pos: int, on_bad: OnBad) -> str | None:
    """The record as text, or None after reporting invalid UTF-8."""
    try:
        return raw.decode()
    except UnicodeDecodeError as exc:
        on_bad(pos, _utf8_reason(exc))
        return None


def _utf8_reason(exc: UnicodeDecodeError) -> str:
    """The reason reported for a record that is not UTF-8."""
    return f"invalid UTF-8 at byte {exc.start + 1} of the record"


class CsvWriter:
    """Writes a header (the union of keys, first seen first) and one row per record.

    The header needs every record's keys, so rows wait in memory, then in an anonymous overflow
    file beside the output once there are many. Nested values are JSON text, None is empty.
    """

    _MEMORY_ROWS = 50_000

    def __init__(self, path: str) -> None:
        self._path = path
        self._columns: dict[str, None] = {}
        self._rows: list[dict[str, str]] = []
        self._overflow: IO[bytes] | None = None

    def write(self, record: Any) -> None:
        """Add one record; a non-dict record becomes {"value": record}."""
        if type(record) is RawJSON:
            record = record.value()
        if not isinstance(record, dict):
            record = {"value": record}
        row = {(key if isinstance(key, str) else _cell(key)): _cell(v) for key, v in record.items()}
        self._columns.update(dict.fromkeys(row))
        self._rows.append(row)
        if len(self._rows) >= self._MEMORY_ROWS:
            self._buffer_to_disk()

    def close(self) -> None:
        """Write the header and all rows to the output file, then drop the overflow file."""
        columns = list(self._columns) or EMPTY_HEADER
        with open(self._path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(_LineFeedEnds(f), lineterminator="\r\n")
            writer.writerow(columns)
            for row in self._stored_rows():
                writer.writerow([row.get(name, "") for name in columns])
        if self._overflow is not None:
            self._overflow.close()

    def _buffer_to_disk(self) -> None:
        """Move the rows held in memory to the overflow file."""
        if self._overflow is None:
            folder = os.path.dirname(os.path.abspath(self._path))
            self._overflow = tempfile.TemporaryFile(dir=folder, prefix=".csv-overflow-")  # noqa: SIM115
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        self._overflow.write(b"".join(dumps(row, option=newline) for row in self._rows))
        self._rows = []

    def _stored_rows(self) -> Iterator[dict[str, str]]:
        """Spilled rows first, then the ones still in memory: the order they were written."""
        if self._overflow is not None:
            self._overflow.seek(0)
            for line in self._overflow:
                yield orjson.loads(line)
        yield from self._rows


def unify_parts(paths: Sequence[str]) -> None:
    """Give every part of one output the same header (call before the commit).

    Each reduce task writes the keys its own records have, so parts may differ in columns
    or their order. The header is the union of the headers of the parts that have rows,
    first seen first; parts with another header are rewritten under a temporary name,
    each cell moved to its column, missing ones empty.
    """
    headers = [_part_header(path) for path in paths]
    union = dict.fromkeys(name for names, has_rows in headers if has_rows for name in names)
    columns = list(union) or EMPTY_HEADER
    for path, (names, _) in zip(paths, headers, strict=True):
        if names != columns:
            _rewrite_part(path, names, columns)


def _part_header(path: str) -> tuple[list[str], bool]:
    """A part's header and whether any row follows it."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        return next(reader, []), next(reader, None) is not None


def _rewrite_part(path: str, names: list[str], columns: list[str]) -> None:
    """Rewrite one part with header `columns`, then rename it in."""
    where = [names.index(name) if name in names else None for name in columns]
    folder, base = os.path.split(path)
    tmp = os.path.join(folder, f".{base}.unify-{os.getpid()}")
    try:
        with (
            open(path, encoding="utf-8", newline="") as source,
            open(tmp, "w", encoding="utf-8", newline="") as target,
        ):
            reader = csv.reader(source)
            next(reader, None)
            writer = csv.writer(_LineFeedEnds(target), lineterminator="\r\n")
            writer.writerow(columns)
            for row in reader:
                writer.writerow(["" if i is None else row[i] for i in where])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class _LineFeedEnds:
    """Writes the csv module's "\r\n"-terminated rows with "\n" instead.

    With lineterminator="\n" the csv module leaves a field holding a lone "\r" unquoted,
    which no reader can tell from a line end; with "\r\n" it quotes it.
    """

    def __init__(self, file: IO[str]) -> None:
        self._file = file

    def write(self, row: str) -> int:
        """Write one row (the csv module writes each row with one call)."""
        return self._file.write(row[:-2] + "\n")


def _cell(value: Any) -> str:
    """The CSV text of one value: str as is, None empty, other scalars and nested values as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json_line(value)[:-1].decode()  # ints beyond 64 bits digit for digit
