"""Latest version of every record by key: last-write-wins on a timestamp field.

    mapreduce run latest_by_key users.jsonl -o latest/ -p key=id -p ts=updated_at
    mapreduce run latest_by_key lines.csv -o latest/ -p key=order_id,line -p ts=updated_at

Timestamps compare as instants (ISO-8601 with any offset, naive = UTC, or epoch numbers);
on equal instants the version later in the input wins. A record without the key or with
an unparseable timestamp is a bad record. A key of several fields (comma-separated) is
one key as group_aggregate's groups are (texts and ints: one string, on the fast path
too; other values: a tuple); such an output goes to files only, since a table's key is
one column.

The fast path (same answers): the job declares the two fields it reads, so NDJSON is
decoded natively into a key column and a timestamp column; map_batch turns them into
int64 keys (or strings) and exact instants, and the engine keeps the latest per key on
columns, carrying each record's position instead of its bytes. A block with other key
types (bool, float, mixed) or a timestamp that is not one goes through map() instead.
"""

from jobs.group_aggregate import field_names, group_key, joined_keys
from jobs.top_n import field_getter
from mapreduce import BadRecord, Job, Param, RawJSON, UsageError, latest, parse_instant


class LatestByKey(Job):
    """Keep the newest version of each record."""

    key = Param(
        str, "id", "field holding the record's key, or fields: a,b (a.b: field b of object a)"
    )
    ts = Param(str, "updated_at", "field holding the version's timestamp (a.b as for key)")
    ts_unit = Param(str, "s", "unit of epoch-number timestamps", choices=("s", "ms", "us"))

    batch_merge = "latest"
    batch_output = "record"  # output() below is the record as read

    def setup(self):
        self._key, self._ts, self._unit = self.key, self.ts, self.ts_unit
        self._names = field_names(self.key)
        self._getters = [field_getter(name) for name in self._names]
        self._key_of, self._ts_of = self._getters[0], field_getter(self.ts)

    def declared_fields(self):
        return {**dict.fromkeys(field_names(self.key), int | str), self.ts: str | int | float}

    def map_batch(self, batch):
        names = self._names
        keys = batch.keys(names[0]) if len(names) == 1 else joined_keys(batch, names)
        instants = None if keys is None else batch.instants(self._ts, self._unit)
        if instants is None:
            return None  # this block goes through map(), record by record
        seconds, nanos = instants
        return {"key": keys, "seconds": seconds, "nanos": nanos}

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        if len(self._names) == 1:
            key = self._key_of(record)
            if key is None:
                raise BadRecord(f"key field {self._key!r} is null")
        else:
            parts = [get(record) for get in self._getters]
            if None in parts:
                raise BadRecord(f"key field {self._names[parts.index(None)]!r} is null")
            key = group_key(parts)
        # Keep the bytes as read when the input has them (NDJSON): spilling, merging and
        # writing a bytes object is far cheaper than a dict, and the record comes out as is.
        kept = record if self.raw is None else self.raw
        return ((key, (parse_instant(self._ts_of(record), self._unit), self.position, kept)),)

    merge = staticmethod(latest)

    def output(self, key, version):
        record = version[2]
        return RawJSON(record) if type(record) is bytes else record

    def output_key(self):
        names = field_names(self.key)
        if len(names) > 1:
            msg = f"-p key={self.key} is a key of {len(names)} fields, and a table's key is"
            raise UsageError(msg + " one column: write the output to files (-o FOLDER)")
        return self.key

    def output_timestamp(self):
        return self.ts, self.ts_unit
