"""PostgreSQL specifics: connecting (password sources, errors), staging and discarding."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from mapreduce.sinks import (
    LoadSpec,
    SinkError,
    StageTask,
    apply_load,
    check_sink,
    discard_load,
    discard_stored,
    parse_sink_url,
    stage_partition,
)
from tests.mapreduce.sinks.conftest import Target, load, postgres_url, write_parts


def server() -> dict[str, str]:
    """The test server's libpq parameters, password included."""
    return {k: str(v) for k, v in conninfo_to_dict(postgres_url()).items()}


def spec_for(url: str) -> LoadSpec:
    parsed = parse_sink_url(url)
    assert parsed is not None
    return LoadSpec(parsed, "id", "updated_at")


def test_wrong_password_is_one_sentence_without_it() -> None:
    s = server()
    url = f"postgresql://{s['user']}:Wr0ngPa55word@{s['host']}:{s['port']}/{s['dbname']}?table=t"
    with pytest.raises(SinkError) as info:
        check_sink(spec_for(url))
    message = str(info.value)
    assert message.startswith(f"cannot connect to postgresql://{s['user']}@{s['host']}:")
    assert "password authentication failed" in message
    assert "Wr0ngPa55word" not in message and "\n" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_nothing_listening_is_one_sentence() -> None:
    with pytest.raises(SinkError) as info:
        check_sink(spec_for("postgresql://ann:s3cret@127.0.0.1:1/db?table=t"))
    message = str(info.value)
    assert message.startswith("cannot connect to postgresql://ann@127.0.0.1:1/db?table=t: ")
    assert "refused" in message and "s3cret" not in message and "\n" not in message


def test_password_from_pgpassword(monkeypatch: pytest.MonkeyPatch) -> None:
    s = server()
    monkeypatch.setenv("PGPASSWORD", s["password"])
    check_sink(spec_for(f"postgresql://{s['user']}@{s['host']}:{s['port']}/{s['dbname']}?table=t"))


def test_password_from_a_pgpass_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = server()
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{s['host']}:{s['port']}:*:{s['user']}:{s['password']}\n")
    passfile.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    check_sink(spec_for(f"postgresql://{s['user']}@{s['host']}:{s['port']}/{s['dbname']}?table=t"))
    passfile.write_text("")
    with pytest.raises(SinkError, match="cannot connect"):
        check_sink(
            spec_for(f"postgresql://{s['user']}@{s['host']}:{s['port']}/{s['dbname']}?table=t")
        )


def test_missing_schema_is_refused(pg_target: Target) -> None:
    url = pg_target.url().replace(f"schema={pg_target.schema}", "schema=nowhere")
    with pytest.raises(SinkError, match="schema nowhere does not exist"):
        check_sink(spec_for(url))


def test_check_refuses_an_existing_table_without_a_unique_key(pg_target: Target) -> None:
    with pg_target.connect() as conn:
        conn.execute(
            f'CREATE TABLE "{pg_target.schema}".users (id bigint, name text, _mr_instant numeric)'
        )
    with pytest.raises(SinkError, match="no primary key or unique index on 'id'"):
        check_sink(pg_target.spec())
    check_sink(pg_target.spec(mode="append"))


def test_restaging_a_partition_replaces_its_staging_table(
    pg_target: Target, tmp_path: Path
) -> None:
    spec = pg_target.spec()
    first = write_parts(tmp_path, [[{"id": 1, "name": "first", "updated_at": 1}]], "a")
    second = write_parts(tmp_path, [[{"id": 2, "name": "second", "updated_at": 1}]], "b")
    stage_partition(StageTask("run", 0, str(first[0][1]), spec))
    result = stage_partition(StageTask("run", 0, str(second[0][1]), spec))
    assert result.rows == 1 and result.staging_table
    assert apply_load(spec, "run", second).rows_read == 1
    assert [r["name"] for r in pg_target.rows()] == ["second"]


def test_discard_drops_only_that_runs_staging_tables(pg_target: Target, tmp_path: Path) -> None:
    spec = pg_target.spec()
    parts = write_parts(tmp_path, [[{"id": 1, "updated_at": 1}], [{"id": 2, "updated_at": 1}]])
    for run in ("failed", "kept"):
        for number, path in parts:
            stage_partition(StageTask(run, number, str(path), spec))
    discard_load(spec, "failed")
    with pytest.raises(SinkError, match="partition 0 of run failed is not staged"):
        apply_load(spec, "failed", parts)
    assert apply_load(spec, "kept", parts).rows_read == 2


def test_a_purged_runs_staging_tables_are_dropped_from_its_stored_out(
    pg_target: Target, tmp_path: Path
) -> None:
    spec = pg_target.spec()
    parts = write_parts(tmp_path, [[{"id": 1, "updated_at": 1}]])
    stage_partition(StageTask("purged", 0, str(parts[0][1]), spec))
    discard_stored(str(tmp_path / "a folder"), "purged")  # not a database: nothing to do
    discard_stored(pg_target.url().replace("@", "@nowhere.invalid", 1), "purged")  # unreachable
    discard_stored(pg_target.url(), "purged")
    with pytest.raises(SinkError, match="partition 0 of run purged is not staged"):
        apply_load(spec, "purged", parts)


def test_staged_columns_widen_across_batches(pg_target: Target, tmp_path: Path) -> None:
    spec = replace(pg_target.spec(), batch_rows=2)
    records = [
        {"id": 1, "v": None, "n": 1, "updated_at": 1},
        {"id": 2, "v": None, "n": 2, "updated_at": 1},
        {"id": 3, "v": 5, "n": 2.5, "updated_at": 1},
        {"id": 4, "v": "five", "n": 2**64 - 1, "w": True, "updated_at": 1},
    ]
    load(spec, "r", write_parts(tmp_path, [records]))
    rows = pg_target.rows()
    assert [r["v"] for r in rows] == [None, None, 5, "five"]  # mixed: JSONB
    assert [r["n"] for r in rows] == [1, 2, 2.5, 2**64 - 1]  # NUMERIC keeps both exactly
    assert [r["w"] for r in rows] == [None, None, None, True]


def test_a_bad_record_in_a_later_batch_of_one_copy_stages_nothing(
    pg_target: Target, tmp_path: Path
) -> None:
    # batches of unchanged columns share one COPY: a record refused while it is open must
    # still name its line, and the partition's staging is undone, not left half written
    spec = replace(pg_target.spec(), batch_rows=2)
    good = [{"id": k, "name": f"n{k}", "updated_at": k} for k in range(1, 6)]
    parts = write_parts(tmp_path, [[*good, {"id": None, "name": "x", "updated_at": 6}]])
    with pytest.raises(SinkError, match=r"part-00000\.jsonl line 6: the key field 'id'"):
        stage_partition(StageTask("r", 0, str(parts[0][1]), spec))
    with pytest.raises(SinkError, match="partition 0 of run r is not staged"):
        apply_load(spec, "r", parts)
    parts = write_parts(tmp_path, [good], "again")
    staged = stage_partition(StageTask("r", 0, str(parts[0][1]), spec))
    assert staged.rows == 5
    apply_load(spec, "r", parts, [staged])
    assert [r["name"] for r in pg_target.rows()] == [f"n{k}" for k in range(1, 6)]


def test_server_side_errors_keep_the_password_out(pg_target: Target) -> None:
    s = server()
    assert s["password"] not in pg_target.spec().url.redacted
    assert s["password"] not in repr(pg_target.spec())
    assert "PGPASSWORD" not in os.environ or os.environ["PGPASSWORD"] != ""
    with psycopg.connect(postgres_url()) as conn:
        conn.execute("SELECT 1")
