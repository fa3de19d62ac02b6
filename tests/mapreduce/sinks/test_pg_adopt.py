"""PostgreSQL into a new table: partition 0's staging table, if it fits, becomes the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mapreduce.sinks import LoadSpec, StageTask, apply_load, stage_partition
from tests.mapreduce.sinks.conftest import Target, load, write_parts


def _stage(spec: LoadSpec, run: str, parts: list[tuple[int, Path]]) -> dict[int, str]:
    """Stage every part; each partition's staging table."""
    return {
        number: str(stage_partition(StageTask(run, number, str(path), spec)).staging_table)
        for number, path in parts
    }


def _catalog(target: Target, name: str) -> dict[str, Any]:
    """A table's oid, persistence, comment and visible columns (in table order)."""
    with target.connect() as conn:
        regclass = f'"{target.schema}"."{name}"'
        oid, persistence, comment = conn.execute(
            "SELECT oid, relpersistence, obj_description(oid, 'pg_class') FROM pg_class "
            "WHERE oid = to_regclass(%s)",
            (regclass,),
        ).fetchone()
        columns = conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
            "attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (oid,),
        ).fetchall()
        primary = conn.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = %s AND indisprimary", (oid,)
        ).fetchone()[0]
    return {
        "oid": oid,
        "persistence": persistence,
        "comment": comment,
        "columns": columns,
        "primary": primary,
    }


def _staging_left(target: Target) -> int:
    with target.connect() as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND "
                "starts_with(tablename, '_mr_stage_')",
                (target.schema,),
            ).fetchone()[0]
        )


def _user(key: int, name: str, **more: Any) -> dict[str, Any]:
    return {"id": key, "name": name, "updated_at": f"2024-01-0{1 + key % 5}T00:00:00Z", **more}


def test_partition_0s_staging_table_becomes_the_new_table(
    pg_target: Target, tmp_path: Path
) -> None:
    spec = pg_target.spec()
    parts = write_parts(
        tmp_path, [[_user(k, f"a{k}") for k in (2, 4)], [_user(k, f"b{k}") for k in (1, 3, 5)]]
    )
    staged = {n: _catalog(pg_target, name) for n, name in _stage(spec, "r", parts).items()}
    # the target is missing: partition 0's rows are logged, to be renamed; no row twice
    assert [staged[n]["persistence"] for n in (0, 1)] == ["p", "u"]
    result = apply_load(spec, "r", parts)
    assert (result.rows_read, result.rows_written) == (5, 5)
    table = _catalog(pg_target, "users")
    assert table["oid"] == staged[0]["oid"]  # renamed, not copied
    assert table["columns"] == [
        ("id", "bigint"),
        ("name", "text"),
        ("updated_at", "text"),
        ("_mr_instant", "numeric"),
    ]
    assert table["comment"] is None and table["primary"] == 1
    assert [(r["id"], r["name"]) for r in pg_target.rows()] == [
        (1, "b1"),
        (2, "a2"),
        (3, "b3"),
        (4, "a4"),
        (5, "b5"),
    ]
    assert _staging_left(pg_target) == 0


def test_staging_into_an_existing_table_is_unlogged(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec()
    load(spec, "first", write_parts(tmp_path, [[_user(1, "a")]], "first"))
    stages = _stage(spec, "second", write_parts(tmp_path, [[_user(1, "b")]], "second"))
    assert _catalog(pg_target, stages[0])["persistence"] == "u"


def test_replace_into_a_new_table_keeps_the_adopted_rows(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec(mode="replace")
    parts = write_parts(tmp_path, [[_user(1, "a"), _user(3, "c")], [_user(2, "b")]])
    _stage(spec, "r", parts)
    assert apply_load(spec, "r", parts).rows_written == 3
    assert [r["name"] for r in pg_target.rows()] == ["a", "b", "c"]


def test_partition_0_with_every_column_is_adopted(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec()
    parts = write_parts(
        tmp_path, [[_user(2, "b", extra=[1, {"x": None}])], [_user(1, "a"), _user(3, "c")]]
    )
    stages = {n: _catalog(pg_target, name) for n, name in _stage(spec, "r", parts).items()}
    apply_load(spec, "r", parts)
    table = _catalog(pg_target, "users")
    assert table["oid"] == stages[0]["oid"]
    assert table["columns"][-2:] == [("extra", "jsonb"), ("_mr_instant", "numeric")]
    assert [r["extra"] for r in pg_target.rows()] == [None, [1, {"x": None}], None]


def test_no_staging_table_fits_then_the_table_is_created(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec()
    parts = write_parts(tmp_path, [[_user(1, "a")], [_user(2, "b", right=1.5)]])
    stages = {n: _catalog(pg_target, name) for n, name in _stage(spec, "r", parts).items()}
    apply_load(spec, "r", parts)
    table = _catalog(pg_target, "users")
    assert table["oid"] not in {s["oid"] for s in stages.values()}
    assert [r["right"] for r in pg_target.rows()] == [None, 1.5]  # partition 0 lacks it
    assert _staging_left(pg_target) == 0
