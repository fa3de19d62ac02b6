"""A `latest` partition written in bulk: the winners' records as NDJSON lines, no output() each.

For a job whose output is each winner's record as read (Job.batch_output == "record"), the
reduce reads the winners back in position order and writes the lines the NDJSON writer
would write, a chunk of winners at a time:

- NDJSON inputs: the winners' bytes themselves (each already a line);
- CSV inputs: the winners' rows parsed by pyarrow.csv as text columns and joined into
  `{"column":"text",...}` lines by one vectorised join per chunk, byte for byte what
  orjson writes for the {column: text} dict the row reader hands to map.

Anything the vectorised join does not spell as orjson would (a control character, a row
of another width) takes that chunk through output() and the writer's own encoder. The
first winner of every chunk is also written through output() and compared, so a job
whose output() is not the record itself is a JobError, not a different answer.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from mapreduce.errors import JobError, shown
from mapreduce.formats.files import OFFSET_BITS
from mapreduce.formats.ndjson import dumps
from mapreduce.formats.raw import RawJSON
from mapreduce.job import Step
from mapreduce.worker.columns import LANES, combine
from mapreduce.worker.columns_spill import Source
from mapreduce.worker.fastreduce import RecordReader, csv_record

__all__ = ["bulk_format", "winner_lines"]

_NS = 1_000_000_000
_CHUNK = 65536  # winners per chunk
_NOT_CONTROL = bytes(range(32, 256))
Output = Callable[[Any, Any], Any]


def bulk_format(sources: list[tuple[str, Any]], files: dict[int, Source]) -> str | None:
    """ "ndjson" or "csv" when winner_lines can write this partition (columns only, one
    input format, CSV with a header), else None."""
    if any(lane == "pairs" for lane, _ in sources) or not files:
        return None
    formats = {fmt for _, fmt, _, _ in files.values()}
    if formats == {"ndjson"}:
        return "ndjson"
    if formats == {"csv"} and all(header for _, _, header, _ in files.values()):
        return "csv"
    return None


def winner_lines(
    step: Step, fmt: str, sources: list[tuple[str, Any]], files: dict[int, Source]
) -> Iterator[tuple[bytes, int]]:
    """The NDJSON lines of a `latest` partition, in key order, a chunk at a time, each
    with its number of lines (known here, so the writer need not count them)."""
    output = step.output
    assert output is not None
    with ExitStack() as stack:
        fetch = RecordReader(files, stack)
        for lane in LANES:  # the order of keys.py: null, numbers, strings
            tables = [rows for name, rows in sources if name == lane]
            if not tables:
                continue
            table = combine("latest", pa.concat_tables(tables))
            raws = fetch.many(table["position"].to_numpy(), table["length"].to_numpy())
            for lo in range(0, len(raws), _CHUNK):
                chunk = table.slice(lo, _CHUNK)
                if fmt == "ndjson":
                    yield _ndjson_chunk(output, chunk, raws[lo : lo + _CHUNK])
                else:
                    yield _csv_chunk(output, chunk, raws[lo : lo + _CHUNK], files)


def _ndjson_chunk(output: Output, table: pa.Table, raws: list[bytes]) -> tuple[bytes, int]:
    first = _first_record(output, table, raws[0])
    if type(first) is not RawJSON or bytes(first) != raws[0]:
        msg = (
            f"batch_output = 'record', but output() returned {shown(first)}, "
            "not RawJSON(version[2])"
        )
        raise JobError(msg)
    joined = b"".join(raws)
    # As many "\n" as raws, each raw's last byte, and never after "\r": every raw is
    # already the line the NDJSON writer writes.
    ends = np.cumsum(table["length"].to_numpy()) - 1
    view = np.frombuffer(joined, np.uint8)
    lines = bool((view[ends] == 10).all()) and np.count_nonzero(view == 10) == len(raws)
    if not lines or (view[np.maximum(ends - 1, 0)] == 13).any():
        joined = b"".join([raw if _is_line(raw) else RawJSON(raw).line() for raw in raws])
        return joined, joined.count(b"\n")
    return joined, len(raws)


def _csv_chunk(
    output: Output, table: pa.Table, raws: list[bytes], files: dict[int, Source]
) -> tuple[bytes, int]:
    _, _, header, delimiter = files[table["position"][0].as_py() >> OFFSET_BITS]
    record = csv_record(header, raws[0], delimiter)
    first = _first_record(output, table, record)
    if type(first) is not dict or first != record:
        msg = f"batch_output = 'record', but output() returned {shown(first)}, not version[2]"
        raise JobError(msg)
    read = _header_of(table, files)
    joined = _csv_json(*read, b"".join(raws), len(raws)) if read is not None else None
    if joined is None or not joined.startswith(dumps(first)):
        lines = list(_one_by_one(output, table, raws, files))
        return b"".join(lines), len(lines)
    return joined, len(raws)


def _first_record(output: Output, table: pa.Table, record: Any) -> Any:
    row = table.slice(0, 1).to_pylist()[0]
    return output(row["key"], (row["seconds"] * _NS + row["nanos"], row["position"], record))


def _header_of(table: pa.Table, files: dict[int, Source]) -> tuple[list[str], str] | None:
    """The one CSV header and delimiter every winner of the chunk was read under, or None."""
    indexes = np.unique(table["position"].to_numpy() >> OFFSET_BITS).tolist()
    headers = {(tuple(files[index][2] or ()), files[index][3]) for index in indexes}
    if len(headers) != 1:
        return None
    names, delimiter = headers.pop()
    return list(names), delimiter


def _one_by_one(
    output: Output, table: pa.Table, raws: list[bytes], files: dict[int, Source]
) -> Iterator[bytes]:
    """The row path's way: each winner's {column: text} through output() and the writer."""
    keys, seconds, nanos, positions = (
        table[name].to_pylist() for name in ("key", "seconds", "nanos", "position")
    )
    for key, second, nano, position, raw in zip(keys, seconds, nanos, positions, raws, strict=True):
        _, _, header, delimiter = files[position >> OFFSET_BITS]
        record = output(key, (second * _NS + nano, position, csv_record(header, raw, delimiter)))
        if record is not None:
            yield dumps(record)


def _csv_json(header: list[str], delimiter: str, data: bytes, rows: int) -> bytes | None:
    """`{"column":"text",...}\\n` for every CSV record in `data`, or None when a value would
    need an escape other than a backslash's (a control character or a quote)."""
    ends = data.translate(None, _NOT_CONTROL + delimiter.encode())
    if b'"' in data or (ends != b"\n" * rows and ends != b"\r\n" * rows):  # LF or CRLF
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != rows:
        return None
    pieces: list[Any] = []
    for i, name in enumerate(header):
        column = table.column(i).combine_chunks()
        if b"\\" in data:
            column = pc.replace_substring(column, "\\", "\\\\")
        pieces += [("{" if i == 0 else '",') + orjson.dumps(name).decode() + ':"', column]
    joined = pc.binary_join_element_wise(*pieces, '"}\n', "")
    offsets = np.frombuffer(joined.buffers()[1], np.int32, len(joined) + 1, joined.offset)
    return joined.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def _is_line(raw: bytes) -> bool:
    """Whether RawJSON(raw).line() is raw itself: it ends in "\n" and not in "\r\n"."""
    return raw[-1:] == b"\n" and raw[-2:-1] != b"\r"
