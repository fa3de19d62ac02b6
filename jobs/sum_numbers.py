"""Sum a big column of numbers, exactly: the total does not depend on how input was split.

Integers of any size are summed as integers (a total of ints is an int, digit for digit);
floats are summed exactly and rounded once, together with the integers, at the end.

mapreduce run sum_numbers numbers.txt -o total/            # one number per line
mapreduce run sum_numbers orders.csv -o total/ -p field=amount

The fast path (same answers): `number_column` reads a whole block as `number` reads each
value: text lines and CSV cells spelled as plain decimals (`-12`, `3.25`) are parsed by
Arrow, NDJSON numbers arrive decoded, and the engine sums them exactly on columns
(batch_merge "aggregate"). A block holding any other spelling (spaces, `+1`, `1e5`,
`1_000`, non-ASCII digits, numbers as JSON strings, ints beyond 64 bits) goes through map().
"""

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce import BadRecord, Job, Param, exactsum

_NUMERIC = b"0123456789-."  # with only these, Arrow reads a number as int() / float() do
_SHORT = 15  # digits of an int below 2**53, exact in a float64 column


def number(value):
    """A JSON number, or text holding one (CSV and text lines carry numbers as text)."""
    if type(value) is int or type(value) is float:
        result = value
    elif type(value) is str:
        text = value.strip()
        try:
            result = int(text)
        except ValueError:
            try:
                result = float(text)
            except ValueError:
                raise BadRecord(f"{value!r} is not a number") from None
    else:
        raise BadRecord(f"{value!r} is not a number")
    if type(result) is float and not math.isfinite(result):
        raise BadRecord(f"{value!r} is not a finite number")
    return result


def number_column(values):
    """`number` of every value of a block's column at once: (int64 or float64 numbers,
    a bool mask of the values that are ints, or None when all or none are), or None when
    some value needs `number` itself (the block then goes through map())."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return _text_numbers(values)
    kinds = set(map(type, values))
    try:
        if kinds == {int}:
            return np.array(values, np.int64), None
        if kinds == {float}:
            numbers = np.array(values, np.float64)
            return (numbers, None) if np.isfinite(numbers).all() else None
        if kinds == {int, float}:
            numbers = np.array(values, np.float64)
            is_int = np.fromiter((type(v) is int for v in values), bool, len(values))
            exact = np.isfinite(numbers).all() and (np.abs(numbers[is_int]) < 2.0**53).all()
            return (numbers, is_int) if exact else None
    except OverflowError:  # an int beyond 64 bits
        return None
    return None


def _text_numbers(texts):
    """Texts spelled with digits, "-" and "." only, cast by Arrow: its grammar for these
    bytes is int()'s and float()'s (no "+", spaces, "_", "e", "0x", other digits)."""
    if not pa.types.is_string(texts.type) and not pa.types.is_large_string(texts.type):
        return None
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    data = texts.buffers()[2]
    chars = data.to_pybytes() if data is not None else b""
    if texts.null_count or chars.translate(None, _NUMERIC):
        return None
    try:
        if b"." not in chars:
            return pc.cast(texts, pa.int64()), None
        values = pc.cast(texts, pa.float64())
    except pa.ArrowInvalid:  # "", "-", "1.2.3": number() reports it
        return None
    dots = np.count_nonzero(np.frombuffer(chars, np.uint8) == ord("."))
    if dots == len(texts):  # one "." in each (a second one fails the cast)
        return values, None
    is_int = pc.invert(pc.match_substring(texts, "."))
    ints = texts.filter(is_int)
    if len(ints):
        signs = pc.cast(pc.starts_with(ints, "-"), pa.int32())
        if pc.max(pc.subtract(pc.binary_length(ints), signs)).as_py() > _SHORT:
            return None
    return values, is_int


def text_lines(data):
    """The lines of a text block as an Arrow column (no line ends), or None when the
    block holds more than digits, "-", "." and "\n" (then number() reads each line).

    The bytes without their line breaks are the column's data (one numpy filter), and a
    line's offset is where it starts less the breaks before it: 1.5x the speed of
    pyarrow's CSV reader splitting the block, for the same strings ("" for an empty line)."""
    if data.translate(None, _NUMERIC + b"\n"):
        return None
    if not data:
        return pa.array([], pa.large_string())
    array = np.frombuffer(data, np.uint8)
    breaks = array == 10
    ends = np.flatnonzero(breaks)
    rows = len(ends) + (0 if data.endswith(b"\n") else 1)
    chars = array[~breaks]
    offsets = np.empty(rows + 1, np.int64)
    offsets[0] = 0
    offsets[1 : len(ends) + 1] = ends - np.arange(len(ends))  # line i ends where break i was
    offsets[rows] = len(chars)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.large_string(), rows, buffers)


def stats(value):
    """The (count, int sum, float partials, min, max) of one number."""
    if type(value) is int:
        return (1, value, (), value, value)
    return (1, 0, (value,), value, value)


def merge_stats(a, b):
    """Two (count, int sum, float partials, min, max) merged. The same whatever the order:
    of equal values min and max keep the int (1 over 1.0), min keeps -0.0, max 0.0."""
    low, high = a[3], a[4]
    if b[3] < low or (b[3] == low and _rank(b[3], -1.0) < _rank(low, -1.0)):
        low = b[3]
    if b[4] > high or (b[4] == high and _rank(b[4], 1.0) < _rank(high, 1.0)):
        high = b[4]
    return (a[0] + b[0], a[1] + b[1], exactsum.merge(a[2], b[2]), low, high)


def _rank(value, preferred_sign):
    """0 for an int, 1 for a float of the preferred sign, 2 for the other sign."""
    if type(value) is int:
        return 0
    return 1 if math.copysign(1.0, value) == preferred_sign else 2


def total_of(value):
    """The exact total of a (count, int sum, partials, …): an int when no float was added."""
    _, int_sum, partials = value[:3]
    return int_sum if not partials else exactsum.total(partials, int_sum)


class SumNumbers(Job):
    """Count and exact sum of one numeric field (or of text lines holding numbers)."""

    field = Param(str, "value", "field to sum when records are objects or CSV rows")

    batch_merge = "aggregate"

    def declared_fields(self):
        return {self.field: int | float | str}

    def map(self, record):
        yield None, stats(number(record if type(record) is not dict else record[self.field]))

    def map_batch(self, batch):
        column = text_lines(batch.data) if batch.format == "text" else batch[self.field]
        numbers = None if column is None else number_column(column)
        if numbers is None:
            return None  # this block goes through map(), record by record
        values, is_int = numbers
        return {"key": pa.nulls(len(values)), "value": values, "is_int": is_int}

    merge = staticmethod(merge_stats)

    def output(self, key, value):
        return {"count": value[0], "sum": total_of(value)}
