"""Count, sum, min, max and mean of a numeric field, grouped by one field or several.

    mapreduce run group_aggregate orders.csv -o by_country/ -p by=country -p field=amount
    mapreduce run group_aggregate users.jsonl -o by_country/ -p by=address.country -p field=age
    mapreduce run group_aggregate orders.csv -o out/ -p by=country,status -p field=amount

With several `by` fields (comma-separated) each output record names them all. A group of
text values only has one string key, the values joined by NUL characters, so it takes the
fast path and sorts as the values do, field by field; any other group (a number, a null,
a NUL in a value) is a tuple key, which sorts after the strings (keys.py's order). Such
an output goes to files only: a table's key is one column.

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

import pyarrow as pa
import pyarrow.compute as pc

from jobs.sum_numbers import merge_stats, number, number_column, stats, total_of
from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, UsageError, exactsum

JOINER = "\x00"  # between the values of a group of several text fields


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
            group = dict(zip(names, key.split(JOINER) if type(key) is str else key, strict=True))
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
    """The key of a group of several fields' values: their texts joined by JOINER when
    all are text without it (the key the fast path makes), else the tuple of values."""
    if all(type(value) is str and JOINER not in value for value in values):
        return JOINER.join(values)
    return tuple(values)


def _group_of(getters):
    """A record's group_key."""
    return lambda record: group_key([get(record) for get in getters])


def joined_keys(batch, names):
    """A block's keys of a group of several text fields, as _group_of makes them, or None
    (a number, a null or a JOINER in a value: map() makes those keys)."""
    columns = []
    for name in names:
        keys = batch.keys(name)
        if not isinstance(keys, pa.Array):  # int64 keys, or none: a tuple per record
            return None
        if pc.any(pc.match_substring(keys, JOINER)).as_py():
            return None
        columns.append(keys)
    return pc.binary_join_element_wise(*columns, JOINER)
