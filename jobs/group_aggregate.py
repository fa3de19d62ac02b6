"""Count, sum, min, max and mean of a numeric field, grouped by another field.

    mapreduce run group_aggregate orders.csv -o by_country/ -p by=country -p field=amount
    mapreduce run group_aggregate users.jsonl -o by_country/ -p by=address.country -p field=age

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

from jobs.sum_numbers import merge_stats, number, number_column, stats, total_of
from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, exactsum


class GroupAggregate(Job):
    """Per-group statistics of one field."""

    by = Param(str, "country", "field to group by (a.b: field b of object a)")
    field = Param(str, "amount", "numeric field to aggregate (a.b: field b of object a)")

    batch_merge = "aggregate"

    def setup(self):
        self._by, self._field = field_getter(self.by), field_getter(self.field)

    def declared_fields(self):
        # A dotted name is looked up as it is written: a record holding it takes the fast
        # path, one holding a nested object fails to decode and takes the row path.
        return {self.by: int | str, self.field: int | float | str}

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        value = number(self._field(record))
        yield self._by(record), stats(value)

    def map_batch(self, batch):
        if batch.format == "text":
            return None  # lines are not objects: map() reports each
        keys = batch.keys(self.by)
        numbers = None if keys is None else number_column(batch[self.field])
        if numbers is None:
            return None
        values, is_int = numbers
        return {"key": keys, "value": values, "is_int": is_int}

    merge = staticmethod(merge_stats)

    def output_key(self):
        return self.by

    def output(self, key, value):
        count, int_sum, partials, low, high = value
        return {
            self.by: key,
            "count": count,
            "sum": total_of(value),
            "min": low,
            "max": high,
            "mean": exactsum.total(partials, int_sum) / count,
        }
