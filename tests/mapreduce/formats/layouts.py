"""Reading one file under many split layouts: each must give exactly the records (and the
bad-record reports) that an independent reader finds in the whole file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from mapreduce.engine.planner import plan_ranges, plan_splits
from mapreduce.formats.files import InputFile, Split
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import read_split

SPLIT_SIZES = (1, 2, 3, 7, 13, 64)
BOM = b"\xef\xbb\xbf"


def read_splits(splits: Iterable[Split]) -> tuple[list[tuple[int, Any]], list[tuple[int, str]]]:
    """All records of the splits in plan order, and every on_bad report."""
    records: list[tuple[int, Any]] = []
    bad: list[tuple[int, str]] = []
    for split in splits:
        records.extend(read_split(split, lambda pos, reason: bad.append((pos, reason))))
    return records, bad


def assert_all_layouts(
    path: str,
    expected: Sequence[tuple[int, Any]],
    bad: Sequence[tuple[int, str]] = (),
    input_format: str | None = None,
    sizes: Sequence[int] = SPLIT_SIZES,
    delimiter: str | None = None,
) -> InputFile:
    """One split, plan_splits at each size, and a two-split plan cut at every byte offset
    all read `expected` (position, record) pairs and report `bad`, no more, no less."""
    [file] = list_inputs([path], input_format, delimiter)
    want = (list(expected), list(bad))
    assert read_splits(plan_splits([file], file.size)) == want, "one split"
    for size in sizes:
        assert read_splits(plan_splits([file], size)) == want, f"split_size={size}"
    for cut in range(1, file.size):
        assert read_splits(plan_ranges(file, [cut])) == want, f"cut at byte {cut}"
    return file


def write(folder: Any, name: str, data: bytes) -> str:
    """Write bytes to folder/name and return the path as a string."""
    path = folder / name
    path.write_bytes(data)
    return str(path)


def line_starts(data: bytes) -> list[int]:
    """The offset of every line start (after each b"\\n"), the file start first."""
    starts = [0]
    starts.extend(i + 1 for i, byte in enumerate(data) if byte == 0x0A)
    return starts


def invalid_json(value: bytes, column: int) -> str:
    """The reason reported for a value orjson rejects at `column`; orjson's own wording
    is asked for, as it changes between versions."""
    try:
        orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {column}"
    raise AssertionError(f"orjson accepts {value!r}")
