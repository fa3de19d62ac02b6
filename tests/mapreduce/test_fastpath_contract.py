"""The fast path is an implementation, not a semantics: every built-in job with map_batch
gives byte-identical part files, the same counters and the same _rejects.jsonl on the
fast path and on the row path (the same job with map_batch removed), on every executor,
split size and reducer count, including inputs that cross the fallback boundary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.worker import fastmap, fastreduce
from tests import oracles

ROW_JOB = """
from jobs.{module} import {cls}
from mapreduce import Job


class Row{cls}({cls}):
    map_batch = Job.map_batch
"""
CONFIGS = [
    # (executor, workers, split_size, reducers)
    ("sequential", 1, None, 1),
    ("sequential", 2, 97, 3),
    ("thread", 3, 512, 2),
    ("process", 2, 1000, 2),
]
IDS = ["-".join(map(str, c)) for c in CONFIGS]


def row_job(tmp_path: Path, module: str, cls: str) -> str:
    """A job file: the built-in job without map_batch, so it runs on the row path."""
    path = tmp_path / f"row_{module}.py"
    path.write_text(ROW_JOB.format(module=module, cls=cls))
    return str(path)


def run_both(tmp_path, job, row, inputs, config=CONFIGS[1], **options):
    """Run the job on both paths; return both outputs' files and summaries."""
    results = []
    for name, which in (("fast", job), ("row", row)):
        executor, workers, split_size, reducers = config
        out = tmp_path / name
        summary = run(
            RunSpec(
                job=which,
                inputs=tuple(str(p) for p in inputs),
                out=str(out),
                executor=executor,
                workers=workers,
                split_size=split_size,
                reducers=reducers,
                overwrite=True,
                state_dir=str(tmp_path / "state"),
                **options,
            )
        )
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "_SUCCESS"}
        results.append((files, summary.counters))
    return results


def assert_same(results):
    (fast_files, fast_counters), (row_files, row_counters) = results
    assert fast_files.keys() == row_files.keys()
    for name in fast_files:
        assert fast_files[name] == row_files[name], name
    assert fast_counters == row_counters


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    root = tmp_path_factory.mktemp("users")
    plain = [u for u in oracles.versioned_users(seed=5) if isinstance(u["id"], int)]
    texts = [{**u, "id": f"u{u['id']:04d}"} for u in plain]
    mixed = oracles.versioned_users(mixed_keys=True)
    return {
        "ints": (oracles.write_ndjson(root / "ints.jsonl", plain), plain),
        "strings": oracles.write_ndjson(root / "strings.jsonl", texts),
        "mixed": oracles.write_ndjson(root / "mixed.jsonl", mixed),
    }


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_latest_by_key_on_both_paths(tmp_path, users, config):
    path, records = users["ints"]
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    results = run_both(tmp_path, "latest_by_key", row, [path, path], config)
    assert_same(results)
    got = [json.loads(line) for part in results[0][0].values() for line in part.splitlines()]
    assert {oracles.key_token(r["id"]): r for r in got} == oracles.latest_by_key(records * 2)


@pytest.mark.parametrize("kind", ["strings", "mixed"])
def test_latest_by_key_string_and_mixed_keys(tmp_path, users, kind):
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [users[kind]]))


def test_latest_by_key_bad_records_and_rejects(tmp_path):
    lines = [
        b'{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}',
        b'{"id": 2, "updated_at": "not a time"}',
        b'{"id": 3}',
        b"not json",
        b'{"id": null, "updated_at": "2024-01-01T00:00:00Z"}',
        b"",
        b'{"id": 1, "updated_at": "2024-01-01T00:00:00+00:00", "x": 1e400}',
        b'{"id": 4, "updated_at": "2024-01-01T00:00:00Z", "x": "\xff"}',
        b'{"id": 1, "updated_at": "2024-01-01T00:00:00Z"}',
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines * 3) + b"\n")
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    results = run_both(tmp_path, "latest_by_key", row, [path], skip_bad_records=True)
    assert_same(results)
    assert results[0][0]["_rejects.jsonl"].count(b"\n") == 6 * 3
    assert results[0][1]["bad_records"] == 6 * 3


KEYS = st.one_of(
    st.integers(-5, 5),
    st.integers(-(2**70), 2**70),
    st.sampled_from(["a", "b", "é", "00123"]),
    st.booleans(),
    st.none(),
    st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 1)),
    st.lists(st.integers(0, 2), max_size=2),
)
STAMPS = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f")[:-2] + "+05:30"),
    st.sampled_from(["2024-02-30T00:00:00", "2024-01-01T24:00:00", "2024-01-01", "x", ""]),
    st.integers(-(2**65), 2**65),
    st.floats(-1e12, 1e12, allow_nan=False),
    st.none(),
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    records=st.lists(st.fixed_dictionaries({"id": KEYS, "updated_at": STAMPS}), max_size=40),
    plain=st.integers(0, 60),
)
def test_latest_by_key_across_the_fallback_boundary(tmp_path_factory, records, plain):
    tmp_path = tmp_path_factory.mktemp("latest")
    # many plain records first, so most blocks take the fast path and some do not
    ordinary = [
        {"id": i % 7, "updated_at": f"2024-01-0{1 + i % 9}T00:00:0{i % 10}Z"} for i in range(plain)
    ]
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(r).encode() for r in ordinary + records]
    path.write_bytes(b"\n".join(lines) + b"\n")
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    options = {"skip_bad_records": True}
    assert_same(
        run_both(tmp_path, "latest_by_key", row, [path], (*CONFIGS[1][:2], 64, 3), **options)
    )


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_word_count_on_both_paths(tmp_path, config):
    path = tmp_path / "words.txt"
    path.write_text("\n".join(oracles.text_lines()) + "\n", encoding="utf-8")
    row = row_job(tmp_path, "word_count", "WordCount")
    results = run_both(tmp_path, "word_count", row, [path], config)
    assert_same(results)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.text("AbC dé'_9 ΣΑΣ İ\r\t-", max_size=30),
            st.binary(max_size=8).map(lambda b: b.decode("latin-1")),
        ),
        max_size=30,
    ),
    invalid=st.booleans(),
)
def test_word_count_unicode_and_invalid_text(tmp_path_factory, lines, invalid):
    tmp_path = tmp_path_factory.mktemp("words")
    path = tmp_path / "words.txt"
    data = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8", "surrogatepass")
    path.write_bytes(data + (b"\nbad \xff line\n" if invalid else b"\nend"))
    row = row_job(tmp_path, "word_count", "WordCount")
    config = ("sequential", 2, 40, 2)
    assert_same(run_both(tmp_path, "word_count", row, [path], config, skip_bad_records=True))


def test_the_fast_path_takes_the_blocks_it_can(tmp_path, users, monkeypatch):
    """A spy on the columnar output (the real one still runs): ordinary NDJSON and text
    blocks go through map_batch; mixed keys go through map() for their blocks."""
    added = []
    original = fastmap.MapColumns.add

    def spy(self, batch, columns):
        added.append(len(batch))
        return original(self, batch, columns)

    monkeypatch.setattr(fastmap.MapColumns, "add", spy)
    path, records = users["ints"]
    words = tmp_path / "words.txt"
    words.write_text("\n".join(oracles.text_lines()) + "\n", encoding="utf-8")
    table = _plain_csv(tmp_path / "plain.csv", records)
    for job, data, expected in (
        ("latest_by_key", path, len(records)),
        ("latest_by_key", table, len(records)),
        ("word_count", words, 400),
        ("latest_by_key", users["mixed"], 0),
    ):
        added.clear()
        config = ("sequential", 1, None, 2)
        cls = "LatestByKey" if job == "latest_by_key" else "WordCount"
        run_both(tmp_path, job, row_job(tmp_path, job, cls), [data], config)
        assert sum(added) == expected, job


def _plain_csv(path, records):
    """CSV with "\\n" line ends and no quoting: blocks the fast path reads natively."""
    names = list(records[0])
    rows = [",".join(names)]
    for record in records:
        cells = ["" if record[n] is None else str(record[n]) for n in names]
        rows.append(
            ",".join(c.replace(",", ";").replace('"', "'").replace("\n", " ") for c in cells)
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
@pytest.mark.parametrize("config", CONFIGS[1:], ids=IDS[1:])
def test_latest_by_key_on_csv_on_both_paths(tmp_path, users, config, fmt):
    _, records = users["ints"]
    plain = _plain_csv(tmp_path / "plain.csv", [{**r, "id": f"{r['id']:05d}"} for r in records])
    quoted = oracles.write_csv(tmp_path / "quoted.csv", records)  # quotes, CRLF: row path
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    for data in (plain, quoted):
        results = run_both(tmp_path, "latest_by_key", row, [data], config, output_format=fmt)
        assert_same(results)
        kept = b"".join(results[0][0].values())
        assert (b'"id":"00001"' if fmt == "ndjson" else b"\n00001,") in kept or data == quoted


@pytest.mark.parametrize(
    "bad",
    [
        "id,updated_at,n\n",
        "1,2024-01-01T00:00:00Z\n",
        "2,not a time,1\n",
        "3,2024-01-01T00:00:00Z,1,9\n",
    ],
)
def test_latest_by_key_csv_bad_rows(tmp_path, bad):
    good = "".join(f"{i % 3},2024-01-0{1 + i % 5}T00:00:00Z,{i}\n" for i in range(30))
    path = tmp_path / "in.csv"
    path.write_text("id,updated_at,n\n" + good + bad + good)
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [path], CONFIGS[1], skip_bad_records=True))


def test_winners_read_back_through_small_windows(tmp_path, users, monkeypatch):
    """Winners are read in position order a mapped window at a time; windows smaller
    than the input (and than some records) give the same parts."""
    monkeypatch.setattr(fastreduce, "_WINDOW", 100)
    path, _ = users["ints"]
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [path, path], ("sequential", 1, 3000, 2)))
