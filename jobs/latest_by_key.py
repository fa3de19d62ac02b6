"""Latest version of every record by key: last-write-wins on a timestamp field.

    mapreduce run latest_by_key users.jsonl -o latest/ -p key=id -p ts=updated_at

Timestamps compare as instants (ISO-8601 with any offset, naive = UTC, or epoch numbers);
on equal instants the version later in the input wins. A record without the key or with
an unparseable timestamp is a bad record.

The fast path (same answers): the job declares the two fields it reads, so NDJSON is
decoded natively into a key column and a timestamp column; map_batch turns them into
int64 keys (or strings) and exact instants, and the engine keeps the latest per key on
columns, carrying each record's position instead of its bytes. A block with other key
types (bool, float, mixed) or a timestamp that is not one goes through map() instead.
"""

from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, RawJSON, latest, parse_instant


class LatestByKey(Job):
    """Keep the newest version of each record."""

    key = Param(str, "id", "field holding the record's key (a.b: field b of object a)")
    ts = Param(str, "updated_at", "field holding the version's timestamp (a.b as for key)")
    ts_unit = Param(str, "s", "unit of epoch-number timestamps", choices=("s", "ms", "us"))

    batch_merge = "latest"
    batch_output = "record"  # output() below is the record as read

    def setup(self):
        self._key, self._ts, self._unit = self.key, self.ts, self.ts_unit
        self._key_of, self._ts_of = field_getter(self.key), field_getter(self.ts)

    def declared_fields(self):
        return {self._key: int | str, self._ts: str | int | float}

    def map_batch(self, batch):
        keys = batch.keys(self._key)
        instants = None if keys is None else batch.instants(self._ts, self._unit)
        if instants is None:
            return None  # this block goes through map(), record by record
        seconds, nanos = instants
        return {"key": keys, "seconds": seconds, "nanos": nanos}

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        key = self._key_of(record)
        if key is None:
            raise BadRecord(f"key field {self._key!r} is null")
        # Keep the bytes as read when the input has them (NDJSON): spilling, merging and
        # writing a bytes object is far cheaper than a dict, and the record comes out as is.
        kept = record if self.raw is None else self.raw
        return ((key, (parse_instant(self._ts_of(record), self._unit), self.position, kept)),)

    merge = staticmethod(latest)

    def output(self, key, version):
        record = version[2]
        return RawJSON(record) if type(record) is bytes else record

    def output_key(self):
        return self.key

    def output_timestamp(self):
        return self.ts, self.ts_unit
