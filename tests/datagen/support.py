"""Helpers for datagen tests: sampling one type, reading outputs with independent readers."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from datagen.types import Batch, Context, lookup
from datagen.types.options import Options


def sample(type_name: str, n: int = 2000, seed: int = 1, **options: Any) -> list[Any]:
    """n values of one type, as Python objects."""
    kind = lookup(type_name, "test")
    sampler = kind.build(Options(f"test {type_name!r}", options), Context("en_US", seed))
    return sampler(Batch(0, n, np.random.default_rng(seed))).to_pylist()


def read_records(path: Path) -> list[dict[str, Any]]:
    """Records of any output file, with the standard library / pyarrow only."""
    name = path.name
    raw = path.read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
        name = name[:-3]
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    text = raw.decode("utf-8-sig")
    if name.endswith((".jsonl", ".ndjson")):
        return [json.loads(line) for line in text.splitlines()]
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return [{"line": line} for line in text.splitlines()]
