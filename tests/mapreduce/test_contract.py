"""The contract: every built-in job, on every executor, worker count, split size and
reducer count, gives the oracle's answer, and byte-identical part files for one --reducers."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.keys import canonical_key, sort_key
from tests import oracles

CONFIGS = [
    # (executor, workers, split_size, reducers)
    ("sequential", 1, None, 1),
    ("sequential", 1, 1, 3),
    ("sequential", 2, 97, 2),
    ("thread", 3, 512, 2),
    ("thread", 4, 4096, 4),
    ("process", 2, 1000, 2),
    ("process", 4, 333, 3),
    ("process", 1, None, 2),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    users = oracles.versioned_users(mixed_keys=True)
    plain_users = [u for u in oracles.versioned_users(seed=5) if isinstance(u["id"], int)]
    lines = oracles.text_lines()
    return {
        "users": users,
        "plain_users": plain_users,
        "lines": lines,
        "users.jsonl": oracles.write_ndjson(root / "users.jsonl", users),
        "users.json": oracles.write_json_array(root / "users.json", plain_users),
        "users.csv": oracles.write_csv(root / "users.csv", plain_users),
        "words.txt": _write_text(root / "words.txt", lines),
        "amounts.jsonl": oracles.write_ndjson(
            root / "amounts.jsonl",
            [
                {"country": c, "amount": a}
                for c, a in zip(
                    itertools.cycle(["DE", "FR", "US", "JP"]),
                    [0.1 * i - 3.7 for i in range(500)],
                    strict=False,
                )
            ],
        ),
    }


def _write_text(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(tmp_path, job, inputs, config, params=None, name="out"):
    executor, workers, split_size, reducers = config
    out = tmp_path / name
    summary = run(
        RunSpec(
            job=job,
            inputs=tuple(str(p) for p in inputs),
            out=str(out),
            params=params or {},
            executor=executor,
            workers=workers,
            reducers=reducers,
            split_size=split_size,
            state_dir=str(tmp_path / "state"),
        )
    )
    assert (out / "_SUCCESS").exists()
    return out, summary


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
def test_latest_by_key(tmp_path, data, config):
    out, summary = _run(tmp_path, "latest_by_key", [data["users.jsonl"]], config)
    got = oracles.read_parts(out)
    expected = oracles.latest_by_key(data["users"])
    assert {oracles.key_token(r["id"]): r for r in got} == expected
    assert len(got) == len(expected)
    assert summary.counters["records_read"] == len(data["users"])
    for part in sorted(out.glob("part-*.jsonl")):
        ids = [json.loads(line)["id"] for line in part.read_text(encoding="utf-8").splitlines()]
        order = [sort_key(canonical_key(i)) for i in ids]
        assert order == sorted(order)


@pytest.mark.parametrize("fmt", ["users.json", "users.csv"])
@pytest.mark.parametrize("config", CONFIGS[1:6], ids=lambda c: "-".join(map(str, c)))
def test_latest_by_key_on_json_arrays_and_csv(tmp_path, data, config, fmt):
    out, _ = _run(tmp_path, "latest_by_key", [data[fmt]], config)
    expected = oracles.latest_by_key(data["plain_users"])
    got = {oracles.key_token(int(r["id"])): r for r in oracles.read_parts(out)}
    assert got.keys() == expected.keys()
    for token, record in got.items():
        assert record["n"] in (expected[token]["n"], str(expected[token]["n"]))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c)))
def test_word_count(tmp_path, data, config):
    out, _ = _run(tmp_path, "word_count", [data["words.txt"]], config)
    got = {r["word"]: r["count"] for r in oracles.read_parts(out)}
    assert got == oracles.word_count(data["lines"])


@pytest.mark.parametrize("config", CONFIGS[::2], ids=lambda c: "-".join(map(str, c)))
def test_top_n(tmp_path, data, config):
    out, _ = _run(tmp_path, "top_n", [data["words.txt"]], config, params={"n": 5})
    assert oracles.read_parts(out) == oracles.top_n(data["lines"], 5)


@pytest.mark.parametrize("config", CONFIGS[::2], ids=lambda c: "-".join(map(str, c)))
def test_group_aggregate(tmp_path, data, config):
    out, _ = _run(tmp_path, "group_aggregate", [data["amounts.jsonl"]], config)
    records = [json.loads(line) for line in data["amounts.jsonl"].read_text().splitlines()]
    expected = oracles.group_aggregate(records, "country", "amount")
    got = {oracles.key_token(r.pop("country")): r for r in oracles.read_parts(out)}
    assert got == expected


@pytest.mark.parametrize("config", CONFIGS[::3], ids=lambda c: "-".join(map(str, c)))
def test_sum_numbers(tmp_path, data, config):
    numbers = [0.1] * 300 + [10**20, -(10**20), 7] + [1e-9 * i for i in range(200)]
    path = tmp_path / "numbers.txt"
    path.write_text("".join(f"{x!r}\n" for x in numbers))
    out, _ = _run(tmp_path, "sum_numbers", [path], config)
    assert oracles.read_parts(out) == [{"count": len(numbers), "sum": math.fsum(numbers)}]


def test_output_is_byte_identical_across_executors_workers_and_split_sizes(tmp_path, data):
    outputs = []
    for i, (executor, workers, split_size) in enumerate(
        [("sequential", 1, None), ("thread", 4, 1), ("process", 2, 333), ("process", 3, 50)]
    ):
        out, _ = _run(
            tmp_path,
            "latest_by_key",
            [data["users.jsonl"], data["users.jsonl"]],
            (executor, workers, split_size, 3),
            name=f"out{i}",
        )
        outputs.append(oracles.part_bytes(out))
    assert all(o == outputs[0] for o in outputs[1:])
    assert len(outputs[0]) == 3
