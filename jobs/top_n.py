"""The N most frequent values of a field (or words of text lines), in two steps:
count per value, then pick the top N (ties broken by value order).

    mapreduce run top_n corpus.txt -o top/ -p n=20
    mapreduce run top_n users.jsonl -o top/ -p field=country -p n=5
    mapreduce run top_n users.jsonl -o top/ -p field=address.country   # a nested field

A dotted field name reaches into nested objects ("address.country" is
record["address"]["country"]) unless the record has a field of that exact name.

The fast path of the first step (same counts): text blocks are cut into words as
word_count's map_batch does; NDJSON and CSV blocks declare the one field and count its
int64 or string values per block with Arrow. Other values (bools, null, floats, nested
objects) send their block through map_values().
"""

import heapq
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc

from jobs.word_count import WORD, word_counts
from mapreduce import BadRecord, Job, Param, Step, canonical_key, sort_key


def field_getter(name):
    """A function of a record returning its field `name`; a dotted name such as
    "address.country" reaches into nested objects when the record has no field of that
    exact name. A missing field raises KeyError naming it, as record[name] does."""
    if "." not in name:
        return itemgetter(name)
    path = name.split(".")

    def get(record):
        if name in record:
            return record[name]
        value = record
        for depth, part in enumerate(path):
            if type(value) is not dict:
                parent = ".".join(path[:depth])
                kind = "null" if value is None else f"a {type(value).__name__}"
                raise BadRecord(f"field {parent!r} is {kind}, not an object holding {part!r}")
            if part not in value:
                raise KeyError(name)
            value = value[part]
        return value

    return get


class TopN(Job):
    """Most frequent values."""

    field = Param(
        str, "word", "field to count in objects (a.b: field b of object a; text counts words)"
    )
    n = Param(int, 10, "how many to keep", minimum=1)

    batch_merge = "sum"  # of the first step: counts added per value

    def setup(self):
        self._field = field_getter(self.field)

    def declared_fields(self):
        return {self.field: int | str}

    def map_batch(self, batch):
        if batch.format == "text":
            return word_counts(batch.data)
        keys = batch.keys(self.field)
        if keys is None:
            return None  # this block goes through map_values(), record by record
        counts = pc.value_counts(keys if isinstance(keys, pa.Array) else pa.array(keys))
        return {"key": counts.field(0), "value": counts.field(1)}

    def steps(self):
        return [
            Step(map=self.map_values, merge=self.add, output=self.counted),
            Step(map=self.map_counts, reduce=self.top),
        ]

    def map_values(self, record):
        if type(record) is str:
            for word in WORD.findall(record.lower()):
                yield word, 1
        elif type(record) is dict:
            yield self._field(record), 1
        else:
            raise BadRecord(f"record is a {type(record).__name__}, not an object or text")

    def add(self, a, b):
        return a + b

    def counted(self, value, count):
        return {"value": value, "count": count}

    def map_counts(self, record):
        yield None, (record["count"], record["value"])

    def top(self, _key, pairs):
        best = heapq.nsmallest(
            self.n, pairs, key=lambda pair: (-pair[0], sort_key(canonical_key(pair[1])))
        )
        for rank, (count, value) in enumerate(best, start=1):
            yield {"rank": rank, "value": value, "count": count}
