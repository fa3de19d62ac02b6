"""Dotted field names in group_aggregate and top_n reach into nested objects (issue 12:
`-p by=user.country` failed with "missing field 'user.country'")."""

from __future__ import annotations

import json
import sqlite3

import pytest

from mapreduce.cli import main
from tests import oracles

USERS = [
    {"id": i, "user": {"country": ("DE", "FR", "DE")[i % 3], "age": 20 + i}, "amount": i}
    for i in range(9)
] + [{"id": 9, "user.country": "JP", "user": {"country": "ignored", "age": 5}}]


def records(out):
    return [
        json.loads(line) for p in sorted(out.glob("part-*")) for line in p.read_text().splitlines()
    ]


def cli(tmp_path, *args):
    state = str(tmp_path / "state")
    return main(["run", *args, "-o", str(tmp_path / "out"), "--state-dir", state, "--quiet"])


@pytest.fixture
def users(tmp_path):
    return str(oracles.write_ndjson(tmp_path / "users.jsonl", USERS))


def test_group_aggregate_groups_by_a_nested_field(tmp_path, users):
    params = ["-p", "by=user.country", "-p", "field=user.age"]
    assert cli(tmp_path, "group_aggregate", users, *params) == 0
    found = {r["user.country"]: (r["count"], r["sum"]) for r in records(tmp_path / "out")}
    expected: dict[str, tuple[int, int]] = {}
    for user in USERS:
        # a field named exactly "user.country" wins over the nested one
        country = user.get("user.country") or user["user"]["country"]
        count, total = expected.get(country, (0, 0))
        expected[country] = (count + 1, total + user["user"].get("age", 0))
    assert found == expected


def test_top_n_counts_a_nested_field(tmp_path, users):
    assert cli(tmp_path, "top_n", users, "-p", "field=user.country", "-p", "n=2") == 0
    assert records(tmp_path / "out") == [
        {"rank": 1, "value": "DE", "count": 6},
        {"rank": 2, "value": "FR", "count": 3},
    ]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"id": 1, "user": {"age": 3}}, "missing field 'user.country'"),
        ({"id": 1, "user": "DE"}, "field 'user' is a str, not an object holding 'country'"),
        ({"id": 1, "user": None}, "field 'user' is null, not an object holding 'country'"),
    ],
)
def test_a_missing_nested_field_is_a_bad_record_saying_which(tmp_path, capsys, record, reason):
    path = oracles.write_ndjson(tmp_path / "bad.jsonl", [*USERS[:3], record])
    assert cli(tmp_path, "top_n", str(path), "-p", "field=user.country") == 1
    error = capsys.readouterr().err
    assert f"line 4: {reason}" in error, error


VERSIONS = [
    {"user": {"id": i % 4, "at": f"2024-01-0{1 + (i * 5) % 7}T00:00:00Z"}, "n": i}
    for i in range(20)
]


def _latest_by_nested_key() -> dict[int, dict]:
    best: dict[int, dict] = {}
    for version in VERSIONS:  # equal instants: the later version wins
        key = version["user"]["id"]
        if key not in best or version["user"]["at"] >= best[key]["user"]["at"]:
            best[key] = version
    return best


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_latest_by_key_keys_on_a_nested_field(tmp_path, suffix, executor):
    """`-p key=user.id` failed on every record: "missing field 'user.id'"."""
    path = tmp_path / f"versions.{suffix}"
    if suffix == "jsonl":
        oracles.write_ndjson(path, VERSIONS)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(VERSIONS), path)
    params = ["-p", "key=user.id", "-p", "ts=user.at", "--executor", executor]
    assert cli(tmp_path, "latest_by_key", str(path), *params) == 0
    found = {r["user"]["id"]: r for r in records(tmp_path / "out")}
    assert found == _latest_by_nested_key()


def test_a_table_refuses_a_nested_key_saying_why(tmp_path, capsys):
    path = oracles.write_ndjson(tmp_path / "versions.jsonl", VERSIONS)
    url = f"sqlite:///{tmp_path / 'users.db'}?table=users"
    argv = ["run", "latest_by_key", str(path), "-o", url, "-p", "key=user.id", "-p", "ts=user.at"]
    assert main([*argv, "--state-dir", str(tmp_path / "state"), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert (
        "the key field 'user.id' is inside the object 'user', and a table's key is a "
        "top-level column"
    ) in error, error
    if (tmp_path / "users.db").exists():
        with sqlite3.connect(tmp_path / "users.db") as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        assert "users" not in tables
