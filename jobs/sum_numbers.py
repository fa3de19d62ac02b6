"""Sum a big column of numbers, exactly: the total does not depend on how input was split.

Integers of any size are summed as integers (a total of ints is an int, digit for digit);
floats are summed exactly and rounded once, together with the integers, at the end.

mapreduce run sum_numbers numbers.txt -o total/            # one number per line
mapreduce run sum_numbers orders.csv -o total/ -p field=amount
"""

import math

from mapreduce import BadRecord, Job, Param, exactsum


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


class SumNumbers(Job):
    """Count and exact sum of one numeric field (or of text lines holding numbers)."""

    field = Param(str, "value", "field to sum when records are objects or CSV rows")

    def map(self, record):
        value = number(record if type(record) is not dict else record[self.field])
        if type(value) is int:
            yield None, (1, value, ())
        else:
            yield None, (1, 0, (value,))

    def merge(self, a, b):
        return (a[0] + b[0], a[1] + b[1], exactsum.merge(a[2], b[2]))

    def output(self, key, value):
        count, int_sum, partials = value
        total = int_sum if not partials else exactsum.total(partials, int_sum)
        return {"count": count, "sum": total}
