"""Count, sum, min, max and mean of a numeric field, grouped by one field or several.

    mapreduce run group_aggregate orders.csv -o by_country/ -p by=country -p field=amount
    mapreduce run group_aggregate users.jsonl -o by_country/ -p by=address.country -p field=age
    mapreduce run group_aggregate orders.csv -o out/ -p by=country,status -p field=amount

With several `by` fields (comma-separated) each output record names them all. A group of
texts and int64 numbers has one string key (group_key), so it takes the fast path and
sorts as the values do, field by field; any other group (a float, a null, a NUL in a
text) is a tuple key, which sorts after the strings (keys.py's order). Such an output
goes to files only: a table's key is one column.

Sums are exact (order-independent), so results are the same for every split size. A
dotted field name reaches into nested objects (see top_n); the output names the group
column as `by` is written ("address.country"). Of equal minimums (or maximums) 1 and 1.0,
the int is kept.

The fast path (same answers): the job declares its two fields; map_batch turns a block's
group column into int64 or string keys and its numbers into a column as `number` reads
them (sum_numbers.number_column), and the engine counts, sums exactly and keeps min and
max per key on columns (batch_merge "aggregate"). A block with other keys (bools, null,
floats, mixed) or numbers it cannot read exactly goes through map() instead.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jobs.sum_numbers import merge_stats, number, number_column, stats, total_of
from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, UsageError, exactsum

JOINER = "\x00"  # between the values of a group of several fields (group_key)
_INT, _TEXT = "\x01", "\x02"  # what kind of value follows, in the order of keys.py
_OFFSET = 1 << 63


def _in_int64(value):
    return -_OFFSET <= value < _OFFSET


class GroupAggregate(Job):
    """Per-group statistics of one field."""

    by = Param(str, "country", "field to group by, or fields: a,b (a.b: field b of object a)")
    field = Param(str, "amount", "numeric field to aggregate (a.b: field b of object a)")

    batch_merge = "aggregate"

    def names(self):
        """The fields of a group."""
        return field_names(self.by)

    def setup(self):
        getters = [field_getter(name) for name in self.names()]
        self._by = getters[0] if len(getters) == 1 else _group_of(getters)
        self._field = field_getter(self.field)

    def declared_fields(self):
        # A dotted name is looked up as it is written: a record holding it takes the fast
        # path, one holding a nested object fails to decode and takes the row path.
        return {**dict.fromkeys(self.names(), int | str), self.field: int | float | str}

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        value = number(self._field(record))
        yield self._by(record), stats(value)

    def map_batch(self, batch):
        if batch.format == "text":
            return None  # lines are not objects: map() reports each
        names = self.names()
        keys = batch.keys(names[0]) if len(names) == 1 else joined_keys(batch, names)
        numbers = None if keys is None else number_column(batch[self.field])
        if numbers is None:
            return None
        values, is_int = numbers
        return {"key": keys, "value": values, "is_int": is_int}

    merge = staticmethod(merge_stats)

    def output_key(self):
        names = self.names()
        if len(names) > 1:
            msg = f"-p by={self.by} groups by {len(names)} fields, and a table's key is one"
            raise UsageError(msg + " column: write the output to files (-o FOLDER)")
        return self.by

    def output(self, key, value):
        count, int_sum, partials, low, high = value
        names = self.names()
        if len(names) == 1:
            group = {self.by: key}
        else:
            group = dict(zip(names, group_values(key), strict=True))
        return {
            **group,
            "count": count,
            "sum": total_of(value),
            "min": low,
            "max": high,
            "mean": exactsum.total(partials, int_sum) / count,
        }


def field_names(text):
    """The fields a parameter names: itself, or the fields it lists (comma-separated)."""
    if "," not in text:
        return [text]
    return [name.strip() for name in text.split(",")]


def group_key(values):
    """The key of a group of several fields' values, one string when every value is a
    text without JOINER or an int64 (the key the fast path makes: each value tagged
    with its kind, an int as 20 digits of itself + 2**63, so keys sort as the values do,
    ints before texts), else the tuple of the values."""
    parts = []
    for value in values:
        kind = type(value)
        if kind is str and JOINER not in value:
            parts.append(_TEXT + value)
        elif (kind is int or (kind is float and value.is_integer())) and _in_int64(value):
            parts.append(f"{_INT}{int(value) + _OFFSET:020d}")  # 1.0 is 1, as in keys.py
        else:
            return tuple(values)
    return JOINER.join(parts)


def group_values(key):
    """The values group_key made `key` of."""
    if type(key) is not str:
        return list(key)
    return [int(p[1:]) - _OFFSET if p[0] == _INT else p[1:] for p in key.split(JOINER)]


def _group_of(getters):
    """A record's group_key."""
    return lambda record: group_key([get(record) for get in getters])


def joined_keys(batch, names):
    """A block's group_key of several fields, or None (a float, a null or a JOINER in a
    value: map() makes those keys)."""
    columns = []
    for name in names:
        keys = batch.keys(name)
        if isinstance(keys, np.ndarray):  # int64: + 2**63 is the sign bit flipped
            digits = pc.cast(pa.array(keys.view(np.uint64) ^ np.uint64(_OFFSET)), pa.string())
            columns.append(pc.binary_join_element_wise(_INT, pc.utf8_lpad(digits, 20, "0"), ""))
        elif keys is None or pc.any(pc.match_substring(keys, JOINER)).as_py():
            return None
        else:
            columns.append(pc.binary_join_element_wise(_TEXT, keys, ""))
    return pc.binary_join_element_wise(*columns, JOINER)
