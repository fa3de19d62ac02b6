"""Latest version of every record by key: last-write-wins on a timestamp field.

    mapreduce run latest_by_key users.jsonl -o latest/ -p key=id -p ts=updated_at

Timestamps compare as instants (ISO-8601 with any offset, naive = UTC, or epoch numbers);
on equal instants the version later in the input wins. A record without the key or with
an unparseable timestamp is a bad record.
"""

from mapreduce import BadRecord, Job, Param, RawJSON, latest, parse_instant


class LatestByKey(Job):
    """Keep the newest version of each record."""

    key = Param(str, "id", "field holding the record's key")
    ts = Param(str, "updated_at", "field holding the version's timestamp")
    ts_unit = Param(str, "s", "unit of epoch-number timestamps", choices=("s", "ms", "us"))

    def setup(self):
        self._key, self._ts, self._unit = self.key, self.ts, self.ts_unit

    def map(self, record):
        if type(record) is not dict:
            raise BadRecord(f"record is a {type(record).__name__}, not an object")
        key = record[self._key]
        if key is None:
            raise BadRecord(f"key field {self._key!r} is null")
        # Keep the bytes as read when the input has them (NDJSON): spilling, merging and
        # writing a bytes object is far cheaper than a dict, and the record comes out as is.
        kept = record if self.raw is None else self.raw
        return ((key, (parse_instant(record[self._ts], self._unit), self.position, kept)),)

    merge = staticmethod(latest)

    def output(self, key, version):
        record = version[2]
        return RawJSON(record) if type(record) is bytes else record
