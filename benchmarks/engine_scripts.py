"""The peers of bench_engine.py: each a script run as `python -c SCRIPT INPUT OUTPUT`.

The word and aggregate loops take INPUT as a glob (a file's path matches itself), reading
the files it matches one after another, as bench_small_files.py gives them a folder.

Plain loops are the simplest honest single-process Python a user would write (orjson or
the csv module, a dict or a Counter, no deliberate slowness); Polars and DuckDB run
their idiomatic fastest query. Each writes its answer where bench_engine.py reads it.
"""

from __future__ import annotations

PLAIN = {
    "latest": r"""
import sys, orjson
best = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        r = orjson.loads(line)
        key, ts = r["id"], r["updated_at"]
        old = best.get(key)
        if old is None or ts >= old[0]:
            best[key] = (ts, line)
with open(sys.argv[2], "wb") as out:
    out.writelines(best[k][1] for k in sorted(best))
""",
    "words": r"""
import glob, sys
from collections import Counter
counts = Counter()
for path in sorted(glob.glob(sys.argv[1])):
    with open(path, encoding="utf-8") as f:
        for line in f:
            counts.update(line.lower().split())
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.writelines(f"{w}\t{c}\n" for w, c in counts.items())
""",
    "aggregate": r"""
import csv, glob, sys, orjson
groups = {}
for path in sorted(glob.glob(sys.argv[1])):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        by, field = header.index("country"), header.index("amount")
        for row in rows:
            amount = float(row[field])
            group = groups.get(row[by])
            if group is None:
                groups[row[by]] = [1, amount, amount, amount]
            else:
                group[0] += 1
                group[1] += amount
                if amount < group[2]:
                    group[2] = amount
                if amount > group[3]:
                    group[3] = amount
with open(sys.argv[2], "wb") as out:
    for key, (n, total, low, high) in groups.items():
        out.write(orjson.dumps({"country": key, "count": n, "sum": total, "min": low,
                                "max": high, "mean": total / n}) + b"\n")
""",
    "sum": r"""
import sys, orjson
with open(sys.argv[1], "rb") as f:
    count = total = 0
    for line in f:
        count += 1
        total += int(line)
with open(sys.argv[2], "wb") as out:
    out.write(orjson.dumps({"count": count, "sum": total}) + b"\n")
""",
    "top": r"""
import sys, orjson
from collections import Counter
counts = Counter()
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        counts.update(line.lower().split())
top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
with open(sys.argv[2], "wb") as out:
    for rank, (word, n) in enumerate(top, start=1):
        out.write(orjson.dumps({"rank": rank, "value": word, "count": n}) + b"\n")
""",
}

POLARS = {
    "latest": r"""
import sys, polars as pl
scan = pl.scan_csv(sys.argv[1], infer_schema=False) if sys.argv[1].endswith(".csv") \
    else pl.scan_ndjson(sys.argv[1])
(scan.with_row_index("_pos")
    .with_columns(pl.col("updated_at").str.to_datetime(time_zone="UTC").alias("_ts"))
    .sort("_ts", "_pos").group_by("id").last().drop("_ts", "_pos").sort("id")
    .collect().write_ndjson(sys.argv[2]))
""",
    "words": r"""
import sys, polars as pl
lines = pl.scan_csv(sys.argv[1], has_header=False, separator="\x01", quote_char=None,
                    new_columns=["line"], schema_overrides={"line": pl.String})
(lines.select(pl.col("line").str.to_lowercase().str.extract_all(r"[\w']+").alias("word"))
    .explode("word").drop_nulls().group_by("word").len()
    .collect().write_csv(sys.argv[2], separator="\t", include_header=False))
""",
    "aggregate": r"""
import sys, polars as pl
amount = pl.col("amount")
(pl.scan_csv(sys.argv[1], schema_overrides={"country": pl.String, "amount": pl.Float64})
    .group_by("country")
    .agg(pl.len().alias("count"), amount.sum().alias("sum"), amount.min().alias("min"),
         amount.max().alias("max"), amount.mean().alias("mean"))
    .collect().write_ndjson(sys.argv[2]))
""",
}

DUCKDB = {
    "latest": r"""
import sys, duckdb
path, out = sys.argv[1], sys.argv[2]
source = (f"read_csv('{path}', all_varchar=true)" if path.endswith(".csv")
          else f"read_json_auto('{path}', format='newline_delimited')")
duckdb.sql(f'''
COPY (SELECT * EXCLUDE (_ts, _pos) FROM (
    SELECT *, CAST(updated_at AS TIMESTAMPTZ) AS _ts, row_number() OVER () AS _pos FROM {source})
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY _ts DESC, _pos DESC) = 1
  ORDER BY id) TO '{out}' (FORMAT JSON)''')
""",
    "words": r"""
import sys, duckdb
duckdb.sql(f'''
COPY (SELECT word, count(*) FROM (
    SELECT unnest(regexp_extract_all(lower(line), '[\w'']+')) AS word
    FROM read_csv('{sys.argv[1]}', columns={{'line': 'VARCHAR'}}, delim='\x01', quote='',
                  escape='', header=false))
  GROUP BY word) TO '{sys.argv[2]}' (FORMAT CSV, DELIMITER '\t', HEADER false)''')
""",
    "aggregate": r"""
import sys, duckdb
duckdb.sql(f'''
COPY (SELECT country, count(*) AS count, sum(amount) AS sum, min(amount) AS min,
             max(amount) AS max, avg(amount) AS mean
      FROM read_csv('{sys.argv[1]}', types={{'country': 'VARCHAR', 'amount': 'DOUBLE'}})
      GROUP BY country) TO '{sys.argv[2]}' (FORMAT JSON)''')
""",
}
