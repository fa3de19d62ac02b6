"""Count, sum, min, max and mean of a numeric field, grouped by another field.

    mapreduce run group_aggregate orders.csv -o by_country/ -p by=country -p field=amount
    mapreduce run group_aggregate users.jsonl -o by_country/ -p by=address.country -p field=age

Sums are exact (order-independent), so results are the same for every split size. A
dotted field name reaches into nested objects (see top_n); the output names the group
column as `by` is written ("address.country").
"""

from jobs.sum_numbers import number
from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, exactsum


class GroupAggregate(Job):
    """Per-group statistics of one field."""

    by = Param(str, "country", "field to group by (a.b: field b of object a)")
    field = Param(str, "amount", "numeric field to aggregate (a.b: field b of object a)")

    def setup(self):
        self._by, self._field = field_getter(self.by), field_getter(self.field)

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        value = number(self._field(record))
        ints, floats = (value, ()) if type(value) is int else (0, (value,))
        yield self._by(record), (1, ints, floats, value, value)

    def merge(self, a, b):
        return (
            a[0] + b[0],
            a[1] + b[1],
            exactsum.merge(a[2], b[2]),
            b[3] if b[3] < a[3] else a[3],
            b[4] if b[4] > a[4] else a[4],
        )

    def output_key(self):
        return self.by

    def output(self, key, value):
        count, int_sum, partials, low, high = value
        total = int_sum if not partials else exactsum.total(partials, int_sum)
        exact_mean = exactsum.total(partials, int_sum) / count
        return {
            self.by: key,
            "count": count,
            "sum": total,
            "min": low,
            "max": high,
            "mean": exact_mean,
        }
