"""Output URLs: which texts are database outputs, what they hold, and the redacted form."""

from __future__ import annotations

import pickle

import pytest

from mapreduce.errors import MapReduceError
from mapreduce.sinks import LoadSpec, SinkError, parse_sink_url


@pytest.mark.parametrize(
    "text", ["out/", "out.jsonl", "C:/data/out", "s3://bucket/x", "file:///tmp/out"]
)
def test_plain_paths_are_not_database_urls(text: str) -> None:
    assert parse_sink_url(text) is None


def test_sqlite_relative_and_absolute_paths() -> None:
    rel = parse_sink_url("sqlite:///data/users.db?table=users")
    absolute = parse_sink_url("sqlite:////var/data/users.db?table=users&mode=append")
    assert rel is not None and absolute is not None
    assert (rel.dialect, rel.path, rel.table, rel.mode) == (
        "sqlite",
        "data/users.db",
        "users",
        None,
    )
    assert (absolute.path, absolute.mode) == ("/var/data/users.db", "append")
    assert absolute.redacted == "sqlite:////var/data/users.db?table=users&mode=append"


def test_postgresql_url_parts_and_password_never_shown() -> None:
    url = parse_sink_url(
        "postgresql://ann:p%40ss%3Aw0rd@db.example:5433/shop"
        "?table=users&schema=sales&sslmode=require&mode=upsert"
    )
    assert url is not None
    assert (url.user, url.password, url.host, url.port, url.dbname) == (
        "ann",
        "p@ss:w0rd",
        "db.example",
        5433,
        "shop",
    )
    assert (url.table, url.schema, url.mode) == ("users", "sales", "upsert")
    assert url.conninfo_params()["password"] == "p@ss:w0rd"
    assert url.conninfo_params()["sslmode"] == "require"
    for shown in (url.redacted, repr(url), str(url)):
        assert "p@ss" not in shown and "w0rd" not in shown and "p%40ss" not in shown
    assert url.redacted == (
        "postgresql://ann@db.example:5433/shop?table=users&mode=upsert&schema=sales&sslmode=require"
    )


def test_postgres_scheme_alias_and_no_password_leaves_it_to_libpq() -> None:
    url = parse_sink_url("postgres://ann@localhost/shop?table=users")
    assert url is not None and url.dialect == "postgresql"
    assert url.password is None and "password" not in url.conninfo_params()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sqlite:///x.db", "names no table"),
        ("sqlite:///x.db?table=users&mode=merge", "mode='merge'"),
        ("sqlite:///x.db?table=users&schema=s", "do not take"),
        ("sqlite://host/x.db?table=users", "has a host"),
        ("sqlite:///?table=users", "names no database file"),
        ("postgresql://u:secret@h/db?table=users&colour=red", "unknown parameter 'colour'"),
        ("postgresql://u:secret@h:port/db?table=users", "port that is not a number"),
        ("postgresql://u:secret@h/db?table=users&table=x", "repeats parameter 'table'"),
        ("postgresql://u:secret@h/db?table=users;drop", "not allowed"),
    ],
)
def test_bad_urls_are_one_sentence_without_the_password(text: str, words: str) -> None:
    with pytest.raises(SinkError) as info:
        parse_sink_url(text)
    message = str(info.value)
    assert words in message
    assert "secret" not in message and "\n" not in message
    assert isinstance(info.value, MapReduceError) and info.value.exit_code == 2


def test_default_mode_follows_the_timestamp() -> None:
    url = parse_sink_url("sqlite:///x.db?table=t")
    assert url is not None
    assert LoadSpec(url, "id", "ts").mode == "upsert-latest"
    assert LoadSpec(url, "id").mode == "upsert"
    assert LoadSpec(url, "id", "ts", mode="append").mode == "append"
    replace = parse_sink_url("sqlite:///x.db?table=t&mode=replace")
    assert replace is not None and LoadSpec(replace, "id", "ts").mode == "replace"


def test_load_spec_refusals() -> None:
    url = parse_sink_url("sqlite:///x.db?table=t&mode=upsert-latest")
    assert url is not None
    with pytest.raises(SinkError, match="needs the job's timestamp field"):
        LoadSpec(url, "id")
    with pytest.raises(SinkError, match="unit 'h'"):
        LoadSpec(url, "id", "ts", timestamp_unit="h")


def test_load_spec_pickles_for_worker_processes() -> None:
    url = parse_sink_url("postgresql://ann:secret@h/db?table=t")
    assert url is not None
    spec = LoadSpec(url, "id", "ts", "ms")
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and again.url.password == "secret" and again.mode == "upsert-latest"
    assert "secret" not in repr(spec)
