"""Property tests end to end: generated records with mixed key types, equal timestamps,
unicode, quoted newlines and escaped quotes, in NDJSON, JSON arrays and CSV, at random
split sizes and reducer counts, always give the oracle's latest-by-key answer."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from tests import oracles

text = st.text(alphabet=st.sampled_from(list("ab ,\"\n\r\\'{}[]é€😀\t")), max_size=12)
json_keys = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(["1", "a", "", "é"]),
    st.booleans(),
    st.just(2.0),
    st.just(0.5),
)
csv_keys = st.sampled_from(["1", "01", "a", "", "é", " x"])
stamps = st.one_of(
    st.sampled_from(
        [
            "2024-01-01T00:00:00Z",
            "2024-01-01T01:00:00+01:00",
            "2024-01-01T00:00:00",
            "2023-12-31T19:00:00-05:00",
            "2024-01-01T00:00:01Z",
        ]
    ),
    st.sampled_from([1704067200, 1704067199, 1704067201]),
)


def records(keys, stamp_values):
    return st.lists(
        st.fixed_dictionaries({"id": keys, "updated_at": stamp_values, "note": text}),
        min_size=1,
        max_size=40,
    )


def latest(path: Path, split_size: int, reducers: int, fmt: str | None = None):
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        run(
            RunSpec(
                job="latest_by_key",
                inputs=(str(path),),
                out=str(out),
                executor="sequential",
                workers=2,
                reducers=reducers,
                split_size=split_size,
                input_format=fmt,
                state_dir=str(Path(scratch) / "state"),
            )
        )
        return oracles.read_parts(out)


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(records(json_keys, stamps), st.integers(1, 300), st.integers(1, 4))
def test_ndjson(rows, split_size, reducers):
    with tempfile.TemporaryDirectory() as scratch:
        path = oracles.write_ndjson(Path(scratch) / "in.jsonl", rows)
        got = latest(path, split_size, reducers)
    expected = oracles.latest_by_key(rows)
    assert len(got) == len(expected)
    assert {oracles.key_token(r["id"]): r for r in got} == expected


@SETTINGS
@given(records(json_keys, stamps), st.integers(1, 300), st.sampled_from([None, 2]))
def test_json_arrays(rows, split_size, indent):
    with tempfile.TemporaryDirectory() as scratch:
        path = oracles.write_json_array(Path(scratch) / "in.json", rows, indent=indent)
        got = latest(path, split_size, 2)
    assert {oracles.key_token(r["id"]): r for r in got} == oracles.latest_by_key(rows)


@SETTINGS
@given(records(csv_keys, stamps.map(str)), st.integers(1, 300), st.booleans(), st.booleans())
def test_csv(rows, split_size, crlf, bom):
    with tempfile.TemporaryDirectory() as scratch:
        path = oracles.write_csv(Path(scratch) / "in.csv", rows, crlf=crlf, bom=bom)
        got = latest(path, split_size, 3)
    expected = oracles.latest_by_key(rows)
    assert {oracles.key_token(r["id"]): r for r in got} == expected
    assert all(json.dumps(r) for r in got)
