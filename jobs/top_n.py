"""The N most frequent values of a field (or words of text lines), in two steps:
count per value, then pick the top N (ties broken by value order).

    mapreduce run top_n corpus.txt -o top/ -p n=20
    mapreduce run top_n users.jsonl -o top/ -p field=country -p n=5
"""

import heapq
import re

from mapreduce import BadRecord, Job, Param, Step, canonical_key, sort_key

WORD = re.compile(r"[\w']+")


class TopN(Job):
    """Most frequent values."""

    field = Param(str, "word", "field to count when records are objects (text lines count words)")
    n = Param(int, 10, "how many to keep")

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
            yield record[self.field], 1
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
