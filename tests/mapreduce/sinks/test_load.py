"""Loading runs into SQLite and PostgreSQL: every mode's rule, re-applies, names, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mapreduce.sinks import SinkError, apply_load
from mapreduce.timestamps import parse_instant
from tests.mapreduce.sinks.conftest import Target, load, write_parts


def user(key: int, ts: object, name: str = "x", **more: Any) -> dict[str, Any]:
    return {"id": key, "name": name, "updated_at": ts, **more}


def names_by_key(target: Target, table: str = "users") -> dict[int, str]:
    return {row["id"]: row["name"] for row in target.rows(table)}


def instant_of(row: dict[str, Any]) -> int:
    """The stored instant, put back together from its column(s)."""
    if "_mr_instant" in row:
        return int(row["_mr_instant"])
    return row["_mr_instant_s"] * 10**9 + row["_mr_instant_ns"]


def test_first_load_creates_the_table(target: Target, tmp_path: Path) -> None:
    parts = write_parts(
        tmp_path, [[user(1, "2024-01-01T00:00:00Z", "a")], [user(2, "2024-01-02T00:00:00Z", "b")]]
    )
    result = load(target.spec(), "r1", parts)
    assert (result.rows_read, result.rows_written, result.already_loaded) == (2, 2, False)
    assert result.partitions == (0, 1)
    assert names_by_key(target) == {1: "a", 2: "b"}


def test_upsert_latest_keeps_newer_rows_against_older_batches(
    target: Target, tmp_path: Path
) -> None:
    newer = write_parts(
        tmp_path,
        [[user(1, "2024-03-01T00:00:00Z", "new1"), user(2, "2024-03-01T00:00:00Z", "new2")]],
        "newer",
    )
    older = write_parts(
        tmp_path,
        [
            [
                user(1, "2024-02-01T00:00:00Z", "old1"),
                user(2, "2024-04-01T00:00:00Z", "newest2"),
                user(3, "2020-01-01T00:00:00Z", "only3"),
            ]
        ],
        "older",
    )
    load(target.spec(), "newer", newer)
    result = load(target.spec(), "older", older)
    assert names_by_key(target) == {1: "new1", 2: "newest2", 3: "only3"}
    assert (result.rows_read, result.rows_written) == (3, 2)


def test_equal_instants_in_mixed_offsets_go_to_the_incoming_row(
    target: Target, tmp_path: Path
) -> None:
    first = write_parts(
        tmp_path,
        [[user(1, "2024-01-01T12:00:00+02:00", "first"), user(2, 1704067200, "first")]],
        "a",
    )
    # The same instants, written differently: UTC, another offset, epoch, naive ISO.
    second = write_parts(
        tmp_path,
        [
            [
                user(1, "2024-01-01T10:00:00Z", "second"),
                user(2, "2023-12-31T19:00:00-05:00", "second"),
            ]
        ],
        "b",
    )
    older = write_parts(
        tmp_path,
        [
            [
                user(1, "2024-01-01T11:59:59.999999999+02:00", "older"),
                user(2, "2024-01-01T00:00:00", "tie-again"),
            ]
        ],
        "c",
    )
    load(target.spec(), "a", first)
    load(target.spec(), "b", second)
    load(target.spec(), "c", older)
    assert names_by_key(target) == {1: "second", 2: "tie-again"}
    stored = {row["id"]: instant_of(row) for row in target.rows()}
    assert stored == {1: parse_instant("2024-01-01T10:00:00Z"), 2: 1704067200 * 10**9}


def test_instants_far_beyond_64_bit_nanoseconds_compare_exactly(
    target: Target, tmp_path: Path
) -> None:
    late = write_parts(
        tmp_path,
        [
            [
                user(1, "9999-12-31T23:59:59.999999999Z", "late"),
                user(2, "0001-01-01T00:00:00.000000001Z", "early"),
            ]
        ],
        "a",
    )
    just_before = write_parts(
        tmp_path,
        [
            [
                user(1, "9999-12-31T23:59:59.999999998Z", "before"),
                user(2, "0001-01-01T00:00:00.000000002Z", "after"),
            ]
        ],
        "b",
    )
    load(target.spec(), "a", late)
    load(target.spec(), "b", just_before)
    assert names_by_key(target) == {1: "late", 2: "after"}
    assert instant_of(target.rows()[0]) == parse_instant("9999-12-31T23:59:59.999999999Z")


def test_out_of_order_batches_end_in_the_same_table(target: Target, tmp_path: Path) -> None:
    batches = [
        [user(k, f"2024-01-{day:02d}T00:00:00Z", f"{k}@{day}") for k in range(20)]
        for day in (5, 1, 9, 3)
    ]
    for number, records in enumerate(batches):
        load(target.spec(), f"run{number}", write_parts(tmp_path, [records], f"b{number}"))
    assert names_by_key(target) == {k: f"{k}@9" for k in range(20)}


def test_duplicate_keys_in_one_run_keep_the_latest_then_the_later_line(
    target: Target, tmp_path: Path
) -> None:
    parts = write_parts(
        tmp_path,
        [[user(1, 10, "late"), user(1, 5, "early"), user(2, 7, "first"), user(2, 7, "second")]],
    )
    load(target.spec(), "r", parts)
    assert names_by_key(target) == {1: "late", 2: "second"}


def test_reapplying_a_run_is_a_no_op(target: Target, tmp_path: Path) -> None:
    parts = write_parts(tmp_path, [[user(1, 1, "a"), user(2, 1, "b")]])
    spec = target.spec(mode="append")
    load(spec, "r1", parts)
    again = apply_load(spec, "r1", parts)
    assert again.already_loaded and again.rows_written == 0
    again = load(spec, "r1", parts)  # staged again (a resume), applied again
    assert again.already_loaded
    assert len(target.rows()) == 2
    assert len(target.rows("_mr_loads", key="run_id")) == 1


def test_upsert_last_loaded_wins_whatever_the_timestamp(target: Target, tmp_path: Path) -> None:
    spec = target.spec(ts=None)
    assert spec.mode == "upsert"
    load(spec, "a", write_parts(tmp_path, [[{"id": 1, "name": "a"}]], "a"))
    load(spec, "b", write_parts(tmp_path, [[{"id": 1, "name": "b"}, {"id": 2, "name": "c"}]], "b"))
    assert names_by_key(target) == {1: "b", 2: "c"}
    assert "_mr_instant" not in target.rows()[0]


def test_append_keeps_every_row_and_replace_keeps_only_this_run(
    target: Target, tmp_path: Path
) -> None:
    parts = write_parts(tmp_path, [[user(1, 1, "a")], [user(2, 1, "b")]])
    load(target.spec("log", mode="append"), "a", parts)
    load(target.spec("log", mode="append"), "b", parts)
    assert sorted(r["name"] for r in target.rows("log")) == ["a", "a", "b", "b"]
    load(target.spec(), "c", parts)
    load(target.spec(mode="replace"), "d", write_parts(tmp_path, [[user(9, 0, "z")]], "d"))
    assert names_by_key(target) == {9: "z"}


def test_nested_values_are_json(target: Target, tmp_path: Path) -> None:
    records = [
        user(1, 1, tags=["a", "b"], address={"city": "Zürich", "zip": "8001"}, mixed=1, empty=None),
        user(2, 1, tags=[], address=None, mixed="one", empty=None),
    ]
    load(target.spec(), "r", write_parts(tmp_path, [records]))
    rows = target.rows()
    decode = json.loads if target.dialect == "sqlite" else (lambda v: v)
    assert decode(rows[0]["address"]) == {"city": "Zürich", "zip": "8001"}
    assert [decode(r["tags"]) for r in rows] == [["a", "b"], []]
    assert [decode(r["mixed"]) for r in rows] == [1, "one"]
    with target.connect() as conn:
        if target.dialect == "postgresql":
            found = conn.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = %s"
                " AND table_name = 'users' AND column_name IN ('tags', 'address')",
                (target.schema,),
            ).fetchall()
            assert found == [("jsonb",), ("jsonb",)]
            city = conn.execute(
                f"SELECT address->>'city' FROM \"{target.schema}\".users WHERE id = 1"
            ).fetchone()
        else:
            city = conn.execute(
                "SELECT json_extract(address, '$.city') FROM users WHERE id = 1"
            ).fetchone()
    assert city == ("Zürich",)


def test_hostile_table_and_column_names_are_refused_and_never_run(
    target: Target, tmp_path: Path
) -> None:
    with pytest.raises(SinkError, match="table name 'users; DROP TABLE x' is not allowed"):
        target.spec("users; DROP TABLE x")
    load(target.spec("x"), "ok", write_parts(tmp_path, [[user(1, 1)]], "ok"))
    hostile = write_parts(tmp_path, [[user(1, 1, **{'a"); DROP TABLE x; --': 1})]], "bad")
    with pytest.raises(SinkError, match=r"column name .* is not allowed"):
        load(target.spec("x"), "bad", hostile)
    assert names_by_key(target, "x") == {1: "x"}  # table x is still there


def test_names_that_need_quoting_work(target: Target, tmp_path: Path) -> None:
    records = [
        {
            "id": 1,
            "first name": "Ann",
            "e-mail": "a@x",
            "select": True,
            "order": 2.5,
            "updated_at": 1,
        }
    ]
    load(target.spec("user table"), "r", write_parts(tmp_path, [records]))
    row = target.rows("user table")[0]
    assert (row["first name"], row["e-mail"], bool(row["select"]), row["order"]) == (
        "Ann",
        "a@x",
        True,
        2.5,
    )


def test_reserved_field_prefix_is_refused(target: Target, tmp_path: Path) -> None:
    with pytest.raises(SinkError, match="prefix '_mr_'"):
        load(target.spec(), "r", write_parts(tmp_path, [[user(1, 1, _mr_instant=5)]]))


def test_an_existing_table_whose_column_does_not_fit_is_refused(
    target: Target, tmp_path: Path
) -> None:
    load(target.spec(), "a", write_parts(tmp_path, [[user(1, 1, balance=10)]], "a"))
    bad = write_parts(tmp_path, [[user(2, 2, balance=10.5)]], "b")
    declared = "INTEGER" if target.dialect == "sqlite" else "bigint"
    floats = "REAL" if target.dialect == "sqlite" else "DOUBLE PRECISION"
    with pytest.raises(SinkError) as info:
        load(target.spec(), "b", bad)
    assert str(info.value).startswith(
        f"table {'' if target.dialect == 'sqlite' else target.schema + '.'}users column "
        f"'balance' is {declared} but the records hold float values ({floats})"
    )
    missing = write_parts(tmp_path, [[user(2, 2, city="Bern")]], "c")
    with pytest.raises(SinkError, match="has no column 'city'"):
        load(target.spec(), "c", missing)
    assert names_by_key(target) == {1: "x"}


def test_upsert_into_a_table_without_a_key_is_refused(target: Target, tmp_path: Path) -> None:
    parts = write_parts(tmp_path, [[user(1, 1)]])
    load(target.spec("log", mode="append"), "a", parts)
    with pytest.raises(SinkError, match="no primary key or unique index on 'id'"):
        load(target.spec("log", mode="upsert-latest"), "b", parts)


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"name": "no key", "updated_at": 1}, "the key field 'id' is missing or null"),
        ({"id": None, "updated_at": 1}, "the key field 'id' is missing or null"),
        ({"id": 3, "updated_at": "yesterday"}, "field 'updated_at': timestamp 'yesterday'"),
        ({"id": 3, "updated_at": None}, "field 'updated_at': timestamp is null"),
    ],
)
def test_bad_records_name_the_part_file_and_line(
    target: Target, tmp_path: Path, record: dict[str, Any], words: str
) -> None:
    parts = write_parts(tmp_path, [[user(1, 1), user(2, 1), record]])
    with pytest.raises(SinkError) as info:
        load(target.spec(), "r", parts)
    assert f"part-00000.jsonl line 3: {words}" in str(info.value)


def test_a_load_failing_midway_leaves_the_table_unchanged_and_a_retry_completes(
    target: Target, tmp_path: Path
) -> None:
    load(target.spec(), "before", write_parts(tmp_path, [[user(1, 1, "before")]], "before"))
    # Injected failure: the database refuses the last row of the last partition, after
    # every earlier row of the run was written in the same transaction.
    with target.connect() as conn:
        if target.dialect == "sqlite":
            conn.execute(
                "CREATE TRIGGER poison BEFORE INSERT ON users WHEN NEW.name = 'poison'"
                " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
            )
        else:
            conn.execute(
                f'ALTER TABLE "{target.schema}".users ADD CONSTRAINT poison'
                " CHECK (name <> 'poison')"
            )
    records = [
        [user(k, 5, "run") for k in range(1, 1000, 2)],
        [*(user(k, 5, "run") for k in range(2, 1000, 2)), user(5000, 5, "poison")],
    ]
    parts = write_parts(tmp_path, records, "run")
    with pytest.raises(SinkError) as info:
        load(target.spec(), "run", parts)
    assert str(info.value).endswith("the table is unchanged") and "poison" in str(info.value)
    assert names_by_key(target) == {1: "before"}
    with target.connect() as conn:
        conn.execute(
            "DROP TRIGGER poison"
            if target.dialect == "sqlite"
            else f'ALTER TABLE "{target.schema}".users DROP CONSTRAINT poison'
        )
        if target.dialect == "sqlite":
            conn.commit()
    # PostgreSQL still has the staged partitions: the retry is apply alone.
    result = apply_load(target.spec(), "run", parts)
    assert (result.rows_read, result.already_loaded) == (1000, False)
    assert set(names_by_key(target).values()) == {"run", "poison"}
    assert len(target.rows()) == 1000


def test_declared_columns_from_an_arrow_schema(target: Target, tmp_path: Path) -> None:
    from dataclasses import replace

    import pyarrow as pa

    from mapreduce.sinks import from_arrow

    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("score", pa.float64()),
            ("note", pa.string()),
            ("name", pa.string()),
            ("updated_at", pa.string()),
        ]
    )
    spec = replace(target.spec(), columns=from_arrow(schema))
    # Every score is a whole number and every note null: the schema still says float, text.
    load(spec, "r", write_parts(tmp_path, [[user(1, "2024-01-01T00:00:00Z", score=3, note=None)]]))
    load(
        target.spec(),
        "s",
        write_parts(tmp_path, [[user(2, "2024-01-02T00:00:00Z", score=2.5, note="n")]], "s"),
    )
    rows = target.rows()
    assert [(r["score"], r["note"]) for r in rows] == [(3, None), (2.5, "n")]
    assert list(rows[0])[:5] == ["id", "score", "note", "name", "updated_at"]


def test_integers_beyond_64_bits_stay_exact(target: Target, tmp_path: Path) -> None:
    # orjson reads such literals as floats (123456789012345678901234567890 became
    # 1.2345678901234568e+29): part files are now read with msgspec, as the engine reads them
    big, small = 123456789012345678901234567890, -(2**64)
    nested = {"n": 2**70, "list": [small]}
    records = [user(1, 1, tags=nested), user(2, 1, tags=[big])]
    if target.dialect == "sqlite":
        load(target.spec(), "r", write_parts(tmp_path, [records]))
        assert [json.loads(r["tags"]) for r in target.rows()] == [nested, [big]]
        with pytest.raises(SinkError, match="column 'amount' holds integers beyond 64 bits"):
            load(target.spec(), "r2", write_parts(tmp_path, [[user(3, 1, amount=big)]], "b"))
        return
    records += [user(3, 1, amount=big), user(4, 1, amount=small)]
    load(target.spec(), "r", write_parts(tmp_path, [records]))
    rows = target.rows()
    assert [r["tags"] for r in rows] == [nested, [big], None, None]
    assert [r["amount"] for r in rows] == [None, None, big, small]
