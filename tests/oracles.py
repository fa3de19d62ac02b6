"""Independent plain-Python computations of every built-in job, and test data makers.

Deliberately written without any mapreduce code: these are the oracles the engine's
output is compared with.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

WORD = re.compile(r"[\w']+")


def instant(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return float(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def key_token(key):
    """Python-equality-free identity of a JSON key: true and 1 differ, 1 and 1.0 do not."""
    if isinstance(key, bool):
        return ("bool", key)
    if isinstance(key, float) and key.is_integer():
        return ("num", int(key))
    if isinstance(key, (int, float)):
        return ("num", key)
    if isinstance(key, list):
        return ("list", tuple(key_token(k) for k in key))
    return (type(key).__name__, key)


def latest_by_key(records, key="id", ts="updated_at"):
    """records: list of dicts in input order -> {key_token: winning record}."""
    best = {}
    for position, record in enumerate(records):
        token = key_token(record[key])
        stamp = (instant(record[ts]), position)
        if token not in best or stamp > best[token][0]:
            best[token] = (stamp, record)
    return {token: record for token, (_, record) in best.items()}


def word_count(lines):
    counts = Counter()
    for line in lines:
        counts.update(WORD.findall(line.lower()))
    return dict(counts)


def group_aggregate(records, by, field):
    groups = {}
    for record in records:
        value = record[field]
        value = json.loads(value) if isinstance(value, str) else value
        groups.setdefault(key_token(record[by]), []).append(value)
    return {
        token: {
            "count": len(values),
            "sum": math.fsum(values) if any(isinstance(v, float) for v in values) else sum(values),
            "min": min(values),
            "max": max(values),
            "mean": math.fsum(values) / len(values),
        }
        for token, values in groups.items()
    }


def top_n(lines, n):
    counts = word_count(lines)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
    return [{"rank": i + 1, "value": w, "count": c} for i, (w, c) in enumerate(ranked)]


# -- test data ------------------------------------------------------------------


def stamp(rng, base, style):
    moment = base + timedelta(seconds=rng.randrange(0, 10_000))
    if style == "epoch":
        return int(moment.timestamp())
    if style == "offset":
        offset = timezone(timedelta(minutes=rng.choice([-330, -240, 0, 60, 345, 600])))
        return moment.astimezone(offset).isoformat()
    if style == "naive":
        return moment.replace(tzinfo=None).isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def versioned_users(count=600, keys=120, seed=1, mixed_keys=False):
    """Records with several versions per key, ties, mixed timestamp styles, tricky text."""
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    names = ["Ann", 'Bo "the" Bear', "Zoë, Jr.", "line\nbreak", "tab\there", "ünï", "a,b"]
    key_pool = list(range(keys))
    if mixed_keys:
        key_pool += ["7", "x", None, True, False, 3.5, 7.0, ""]
    records = []
    for i in range(count):
        key = rng.choice(key_pool)
        style = rng.choice(["z", "offset", "naive", "epoch"])
        when = stamp(rng, base, style) if rng.random() > 0.1 else "2024-01-01T01:00:00Z"
        records.append({"id": key, "name": rng.choice(names), "n": i, "updated_at": when})
    return [r for r in records if r["id"] is not None]


def write_ndjson(path: Path, records) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def write_json_array(path: Path, records, indent=2) -> Path:
    path.write_text(json.dumps(records, indent=indent, ensure_ascii=False), encoding="utf-8")
    return path


def write_csv(path: Path, records, crlf=True, bom=False) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        # With "\n" line ends the csv module leaves a lone "\r" unquoted, which RFC 4180
        # readers rightly take as a line break: quote every field then.
        writer = csv.DictWriter(
            handle,
            fieldnames=list(records[0]),
            lineterminator="\r\n" if crlf else "\n",
            quoting=csv.QUOTE_MINIMAL if crlf else csv.QUOTE_ALL,
        )
        writer.writeheader()
        for record in records:
            writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
    return path


def text_lines(count=400, seed=2):
    rng = random.Random(seed)
    vocab = ["the", "The", "cat's", "dog", "über", "naïve", "a", "b", "c", "x_y", "42"]
    return [" ".join(rng.choice(vocab) for _ in range(rng.randrange(0, 9))) for _ in range(count)]


def read_parts(out: Path):
    """Every record of OUT's part files, in part order, and each part's key order check."""
    records = []
    for part in sorted(out.glob("part-*.jsonl")):
        with open(part, encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle)
    return records


def part_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("part-*"))}
