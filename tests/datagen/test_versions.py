"""Versioned records: the truth file matches an independent reduce over the generated data."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen import SchemaError, UsageError, generate
from datagen import truth as truth_module
from datagen.versions import VersionPlan, permute, unpermute
from tests.datagen.support import read_records


def instant(value: Any) -> float:
    """Seconds since 1970 that a timestamp means: epoch number, ISO with Z/offset, naive = UTC."""
    if isinstance(value, int | float):
        return float(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def oracle(
    records: list[dict[str, Any]], key: str = "id", ts: str = "updated_at"
) -> dict[Any, int]:
    """Winning position per key: the latest instant; on equal instants, the later record."""
    best: dict[Any, tuple[float, int]] = {}
    for pos, record in enumerate(records):
        t = instant(record[ts])
        k = record[key]
        if k not in best or t >= best[k][0]:
            best[k] = (t, pos)
    return {k: pos for k, (_, pos) in best.items()}


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 2**32))
def test_permutation_is_a_bijection(n: int, seed: int) -> None:
    positions = np.arange(n, dtype=np.int64)
    slots = permute(positions, n, seed)
    assert np.array_equal(np.sort(slots), positions)
    assert np.array_equal(unpermute(slots, n, seed), positions)


@pytest.mark.parametrize("style", ["iso-z", "iso-offset", "epoch", "mixed"])
def test_truth_matches_an_independent_reduce(tmp_path: Path, small_chunks: int, style: str) -> None:
    out, truth = tmp_path / "users.jsonl", tmp_path / "truth.jsonl"
    stats = generate(
        out,
        preset="users",
        rows=6001,
        versions="2-5",
        truth=truth,
        ties=0.25,
        timestamp_style=style,
        seed=4,
    )
    data_lines = out.read_text().splitlines()
    records = [json.loads(line) for line in data_lines]
    winners = oracle(records)
    assert stats.rows == len(records) == 6001 and stats.keys == len(winners)
    truth_lines = truth.read_text().splitlines()
    assert [json.loads(line)["id"] for line in truth_lines] == sorted(winners)
    assert truth_lines == [data_lines[winners[k]] for k in sorted(winners)]


def test_ties_share_and_equal_instants(tmp_path: Path, small_chunks: int) -> None:
    out = tmp_path / "users.jsonl"
    generate(
        out,
        preset="users",
        rows=20000,
        versions=4,
        ties=0.3,
        timestamp_style="mixed",
        truth=tmp_path / "t",
    )
    times: dict[Any, list[float]] = defaultdict(list)
    for record in read_records(out):
        times[record["id"]].append(instant(record["updated_at"]))
    tied = [k for k, ts in times.items() if sorted(ts)[-1] == sorted(ts)[-2]]
    assert len(tied) / len(times) == pytest.approx(0.3, abs=0.03)
    assert all(len(set(ts)) >= len(ts) - 1 for ts in times.values())


def test_versions_are_scattered_not_grouped(tmp_path: Path, small_chunks: int) -> None:
    out = tmp_path / "users.jsonl"
    generate(out, preset="users", rows=12000, versions=4)
    where: dict[Any, list[int]] = defaultdict(list)
    for pos, record in enumerate(read_records(out)):
        where[record["id"]].append(pos)
    gaps = [b - a for ps in where.values() for a, b in pairwise(ps)]
    assert np.mean(gaps) > 12000 / 8
    assert sum(g == 1 for g in gaps) / len(gaps) < 0.01


def test_exact_row_count_and_version_counts(tmp_path: Path) -> None:
    out = tmp_path / "users.jsonl"
    stats = generate(out, preset="users", rows=1003, versions=4)
    counts = Counter(r["id"] for r in read_records(out))
    assert stats.rows == 1003 and stats.keys == 251 == len(counts)
    assert sorted(Counter(counts.values()).items()) == [(3, 1), (4, 250)]
    ranged = Counter(r["id"] for r in read_records(_gen(tmp_path / "r.jsonl", versions="2-5")))
    assert set(list(ranged.values())[:-1]) <= {2, 3, 4, 5}


def _gen(path: Path, **options: Any) -> Path:
    generate(path, preset="users", rows=3000, **options)
    return path


def test_versions_work_with_any_preset_adding_key_and_time(tmp_path: Path) -> None:
    out = tmp_path / "numbers.csv"
    generate(out, preset="numbers", rows=100, versions=2, truth=tmp_path / "truth.jsonl")
    header = out.read_text().splitlines()[0]
    assert header == "id,value,updated_at"
    assert len((tmp_path / "truth.jsonl").read_text().splitlines()) == 50


def test_guid_key_field_is_stable_across_versions(tmp_path: Path) -> None:
    schema = [
        {"name": "key", "type": "GUID"},
        {"name": "v", "type": "Number"},
        {"name": "ts", "type": "Datetime"},
    ]
    out = tmp_path / "g.jsonl"
    generate(out, schema=schema, rows=300, versions=3, key_field="key", timestamp_field="ts")
    counts = Counter(r["key"] for r in read_records(out))
    assert len(counts) == 100 and set(counts.values()) == {3}


def test_truth_of_parquet_data_holds_the_same_values(tmp_path: Path) -> None:
    out, truth = tmp_path / "events.parquet", tmp_path / "truth.jsonl"
    generate(out, preset="events", rows=2000, versions=2, truth=truth, timestamp_style="epoch")
    records = read_records(out)
    winners = oracle(records)
    expected = [records[winners[k]] for k in sorted(winners)]
    assert [json.loads(line) for line in truth.read_text().splitlines()] == expected


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"versions": "5-2"}, UsageError, "low <= high"),
        ({"versions": "many"}, UsageError, "count like 4"),
        ({"versions": 3, "key_field": "nope"}, UsageError, "--key-field 'nope'"),
        ({"versions": 3, "key_field": "email"}, SchemaError, r"fields\[3\] 'email': the key field"),
        ({"ties": 0.5}, UsageError, "--ties needs --versions"),
        ({"versions": 1, "ties": 0.5}, UsageError, "at least 2 versions"),
        ({"versions": 2, "ties": 1.5}, UsageError, "--ties must be"),
        ({"timestamp_style": "roman"}, UsageError, "--timestamp-style"),
    ],
)
def test_version_option_errors(
    tmp_path: Path, options: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        generate(tmp_path / "x.jsonl", preset="users", rows=10, **options)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 3000), st.integers(1, 4), st.integers(0, 3), st.floats(0, 1), st.integers(0, 99)
)
def test_layout_properties(rows: int, low: int, extra: int, ties: float, seed: int) -> None:
    """Each position holds one (key, version), versions count 0..count-1, one winner per key."""
    plan = VersionPlan(rows, low, low + extra, seed, ties if low + extra > 1 else 0.0, 0, 10**8)
    positions = np.arange(rows, dtype=np.int64)
    keys, versions = plan.locate(positions)
    assert keys.max() + 1 == plan.keys
    counts = np.bincount(keys, minlength=plan.keys)
    assert np.array_equal(counts, plan.counts(np.arange(plan.keys)))
    assert (versions < counts[keys]).all()
    assert plan.winners(positions, keys, versions).sum() == plan.keys
    instants = plan.instants(keys, versions)
    order = np.lexsort((versions, keys))
    same_key = keys[order][1:] == keys[order][:-1]
    assert (np.diff(instants[order])[same_key] >= 0).all()


def test_truth_spill_with_many_buckets(
    tmp_path: Path, small_chunks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(truth_module, "MIN_BUCKET_KEYS", 7)
    monkeypatch.setattr(truth_module, "MAX_BUCKETS", 1000)
    out, truth = tmp_path / "u.jsonl", tmp_path / "t.jsonl"
    generate(out, preset="users", rows=4000, versions="1-3", truth=truth, ties=0.1)
    data = out.read_text().splitlines()
    winners = oracle([json.loads(line) for line in data])
    assert truth.read_text().splitlines() == [data[winners[k]] for k in sorted(winners)]


def test_style_rewrites_a_non_date_timestamp_field(tmp_path: Path) -> None:
    schema = [{"name": "id", "type": "Row Number"}, {"name": "updated_at", "type": "Number"}]
    out = tmp_path / "n.jsonl"
    generate(out, schema=schema, rows=50, timestamp_style="epoch")
    assert all(isinstance(r["updated_at"], int) for r in read_records(out))


def test_sequence_key_field_counts_keys(tmp_path: Path) -> None:
    schema = [
        {"name": "id", "type": "Sequence", "start": "100", "step": 5},
        {"name": "v", "type": "Boolean"},
    ]
    out = tmp_path / "s.jsonl"
    generate(out, schema=schema, rows=40, versions=4)
    assert sorted({r["id"] for r in read_records(out)}) == list(range(100, 150, 5))
