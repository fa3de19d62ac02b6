"""The fast path is an implementation, not a semantics: every built-in job with map_batch
gives byte-identical part files, the same counters and the same _rejects.jsonl on the
fast path and on the row path (the same job with map_batch removed), on every executor,
split size and reducer count, including inputs that cross the fallback boundary."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import math
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.sum_numbers import text_lines
from jobs.word_count import WORD, word_counts
from mapreduce.engine.api import run
from mapreduce.engine.spec import RunSpec
from mapreduce.formats import chunks, declared
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


@settings(max_examples=500, deadline=None)
@given(st.text("0123456789-.\n", min_size=1, max_size=40))
def test_number_lines_are_the_lines_pyarrows_csv_reader_reads(text):
    # sum_numbers' zero-copy split against the reader it replaced ("" for an empty line)
    data = text.encode()
    reference = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=["line"], use_threads=False),
        parse_options=pacsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={"line": pa.string()}, strings_can_be_null=False
        ),
    )
    assert text_lines(data).to_pylist() == reference["line"].to_pylist()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9_' \t\n\r.,-\x0b\x0c", max_size=60))
def test_ascii_word_counts_are_the_regex_words(text):
    # the squeezed-spaces tokeniser against map()'s rule, line by line
    found = word_counts(text.encode())
    expected = Counter(w for line in text.split("\n") for w in WORD.findall(line.lower()))
    assert dict(zip(found["key"].to_pylist(), found["value"].to_pylist(), strict=True)) == expected
    assert found["key"].type == pa.large_string()


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


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.lists(
        st.one_of(st.text(max_size=20), st.text("AbC dé'_9 ΣΑΣ\n\t-,\"", max_size=20)),
        min_size=1,
        max_size=25,
    ),
    missing=st.booleans(),
    fmt=st.sampled_from(["jsonl", "csv"]),
)
def test_word_count_of_a_field_on_both_paths(tmp_path_factory, values, missing, fmt):
    """-p field=text: NDJSON and CSV blocks count the declared column (values with line
    breaks, quotes and sigmas included); a record without the field is the same bad
    record on both paths."""
    tmp_path = tmp_path_factory.mktemp("field")
    records = [{"id": i, "text": v, "other": "not counted"} for i, v in enumerate(values)]
    if missing:
        records.insert(len(records) // 2, {"id": -1, "other": "no text here"})
    path = tmp_path / f"texts.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    else:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, ["id", "text", "other"])
            writer.writeheader()
            writer.writerows(records)
    row = row_job(tmp_path, "word_count", "WordCount")
    options = {"skip_bad_records": True, "params": {"field": "text"}}
    results = run_both(tmp_path, "word_count", row, [path], ("sequential", 2, 64, 2), **options)
    assert_same(results)
    expected = Counter(w for r in records if "text" in r for w in WORD.findall(r["text"].lower()))
    got = Counter()
    for name, data in results[0][0].items():
        if name.startswith("part-"):
            for line in data.splitlines():
                record = json.loads(line)
                got[record["word"]] = record["count"]
    assert got == expected


def test_word_count_of_whole_records_counts_their_text_values(tmp_path):
    path = tmp_path / "tweets.jsonl"
    path.write_text(
        '{"user": "Ann", "text": "Hello World", "likes": 3, "tags": ["news", {"t": "Hello"}]}\n'
        '{"user": null, "text": "again", "ok": true}\n'
    )
    row = row_job(tmp_path, "word_count", "WordCount")
    (files, _), _ = run_both(tmp_path, "word_count", row, [path], ("sequential", 1, None, 1))
    words = [json.loads(line) for line in files["part-00000.jsonl"].splitlines()]
    assert words == [
        {"word": "again", "count": 1},
        {"word": "ann", "count": 1},
        {"word": "hello", "count": 2},
        {"word": "news", "count": 1},
        {"word": "world", "count": 1},
    ]


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


@pytest.mark.parametrize(
    "bad", [b"3,2024-01-01T00:00:00Z,a\xffb\n", b"\xff,2024-01-01T00:00:00Z,1\n"]
)
def test_latest_by_key_csv_invalid_utf8(tmp_path, bad):
    # invalid UTF-8 in a column the job does not declare is a bad record on the row path;
    # the fast path took such a block and failed in the reduce, decoding the winner
    good = "".join(f"{i % 3},2024-01-0{1 + i % 5}T00:00:00Z,{i}\n" for i in range(30)).encode()
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,updated_at,n\n" + good + bad + good)
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    results = run_both(tmp_path, "latest_by_key", row, [path], CONFIGS[1], skip_bad_records=True)
    assert_same(results)
    assert results[0][1]["bad_records"] == 1


def test_winners_read_back_through_small_windows(tmp_path, users, monkeypatch):
    """Winners are read in position order a mapped window at a time; windows smaller
    than the input (and than some records) give the same parts."""
    monkeypatch.setattr(fastreduce, "_WINDOW", 100)
    path, _ = users["ints"]
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [path, path], ("sequential", 1, 3000, 2)))


# -- group_aggregate, sum_numbers, top_n ------------------------------------------------

JOBS = {
    "group_aggregate": "GroupAggregate",
    "sum_numbers": "SumNumbers",
    "top_n": "TopN",
    "word_count": "WordCount",
    "latest_by_key": "LatestByKey",
}


@pytest.fixture()
def small_blocks(monkeypatch):
    """Blocks of ~300 bytes instead of 8 MB, so one task holds many blocks and the fast
    and row paths alternate inside it (what a big input does)."""
    monkeypatch.setattr(declared.line_blocks, "__defaults__", (300,))


def _orders(count=500, seed=3):
    """Orders as the datagen preset spells them: amounts with two decimals, some whole."""
    rng = random.Random(seed)
    countries = ["DE", "FR", "US", "BR", "JP", "AU", "Σ"]
    rows = []
    for i in range(count):
        cents = rng.randrange(100, 100_000)
        amount = f"{cents // 100}" if i % 17 == 0 else f"{cents // 100}.{cents % 100:02d}"
        rows.append({"id": i, "country": rng.choice(countries), "amount": amount})
    return rows


def _orders_csv(path, rows):
    lines = ["id,country,amount", *(f"{r['id']},{r['country']},{r['amount']}" for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_group_aggregate_on_both_paths(tmp_path, config):
    rows = _orders()
    table = _orders_csv(tmp_path / "orders.csv", rows)
    numbers = [{**r, "amount": json.loads(r["amount"])} for r in rows]
    ndjson = oracles.write_ndjson(tmp_path / "orders.jsonl", numbers)
    row = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    for data in (table, ndjson):
        results = run_both(tmp_path, "group_aggregate", row, [data], config)
        assert_same(results)
        parts = b"".join(results[0][0].values()).splitlines()
        got = {oracles.key_token(r.pop("country")): r for r in map(json.loads, parts)}
        assert got == oracles.group_aggregate(rows, "country", "amount")


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_sum_numbers_on_both_paths(tmp_path, config):
    rng = random.Random(4)
    values = [rng.randrange(-(10**12), 10**12) for _ in range(400)]
    text = tmp_path / "numbers.txt"
    text.write_text("".join(f"{v}\n" for v in values))
    rows = _orders()
    table = _orders_csv(tmp_path / "orders.csv", rows)
    row = row_job(tmp_path, "sum_numbers", "SumNumbers")
    for data, options in ((text, {}), (table, {"field": "amount"})):
        job = "sum_numbers"
        results = run_both(tmp_path, job, row, [data], config, params=options)
        assert_same(results)
        [got] = [json.loads(part) for part in results[0][0].values() if part]
        assert got["count"] == 400 if data == text else len(rows)
    assert got["sum"] == math.fsum(json.loads(r["amount"]) for r in rows)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_top_n_on_both_paths(tmp_path, config, users):
    words = tmp_path / "words.txt"
    lines = oracles.text_lines()
    words.write_text("\n".join(lines) + "\n", encoding="utf-8")
    row = row_job(tmp_path, "top_n", "TopN")
    results = run_both(tmp_path, "top_n", row, [words], config, params={"n": 7})
    assert_same(results)
    got = [json.loads(line) for part in results[0][0].values() for line in part.splitlines()]
    assert got == oracles.top_n(lines, 7)
    for kind, field in (("ints", "id"), ("ints", "name"), ("mixed", "id")):
        data = users[kind][0] if kind == "ints" else users[kind]
        assert_same(run_both(tmp_path, "top_n", row, [data], config, params={"field": field}))


NUMBERS = st.one_of(
    st.integers(-5, 5),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-(2**70), 2**70),
    st.floats(-1e6, 1e6).map(lambda x: round(x, 2)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 2.0**60, 2.0**-61, 1.0, 3.0, 1e300]),
    st.sampled_from(["12.50", " 7", "+3", "1e5", "1_000", "٣", "nan", "-0", "-0.0", "0.1"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 2), max_size=1),
)
TEXTS = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.integers(-(2**53), 2**53).map(str),
    st.floats(-1e9, 1e9).map(lambda x: f"{x:.2f}"),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["12.50", " 7", "+3", "1e5", "1_000", "٣", "nan", "inf", "", "-0", "-0.0"]),
    st.sampled_from(["007", "1.", ".5", "0.1000000000000000055511151231257827", "x"]),
)


def _plain(count, start=0):
    """Ordinary orders: most blocks of an input take the fast path."""
    return [{"k": (start + i) % 5, "v": (i % 7) + 0.25 * (i % 3)} for i in range(count)]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    records=st.lists(st.fixed_dictionaries({"k": KEYS, "v": NUMBERS}), max_size=30),
    before=st.integers(0, 40),
    after=st.integers(0, 40),
)
def test_group_aggregate_across_the_fallback_boundary(
    tmp_path_factory, small_blocks, records, before, after
):
    tmp_path = tmp_path_factory.mktemp("aggregate")
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(r).encode() for r in _plain(before) + records + _plain(after, 3)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    row = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    options = {"skip_bad_records": True, "params": {"by": "k", "field": "v"}}
    config = ("sequential", 2, 700, 3)
    assert_same(run_both(tmp_path, "group_aggregate", row, [path], config, **options))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cells=st.lists(st.tuples(st.sampled_from(["a", "b", "1", "01", "é"]), TEXTS), max_size=30),
    before=st.integers(0, 40),
)
def test_number_spellings_on_csv_and_text(tmp_path_factory, small_blocks, cells, before):
    """CSV cells and text lines are numbers as number() reads them: plain decimals on
    columns, every other spelling through map() for its block; the same parts either way."""
    tmp_path = tmp_path_factory.mktemp("spellings")
    ordinary = [(str(i % 4), f"{i}.{i % 100:02d}") for i in range(before)]
    rows = [*ordinary, *cells, *ordinary, ("a", "1")]
    table = tmp_path / "in.csv"
    table.write_text("k,v\n" + "".join(f"{k},{v}\n" for k, v in rows), encoding="utf-8")
    text = tmp_path / "in.txt"
    text.write_text("".join(f"{v}\n" for _, v in rows), encoding="utf-8")
    config = ("sequential", 2, 500, 2)
    aggregate = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    params = {"by": "k", "field": "v"}
    options = {"skip_bad_records": True}
    results = run_both(
        tmp_path, "group_aggregate", aggregate, [table], config, params=params, **options
    )
    assert_same(results)
    total = row_job(tmp_path, "sum_numbers", "SumNumbers")
    for data, params in ((table, {"field": "v"}), (text, {})):
        assert_same(
            run_both(tmp_path, "sum_numbers", total, [data], config, params=params, **options)
        )


def taken_rows(monkeypatch) -> list[int]:
    """A spy on the columnar output (the real one still runs): the rows of each batch
    map_batch's columns were taken for (0 for a batch sent through map())."""
    added: list[int] = []
    original = fastmap.MapColumns.add

    def spy(self, batch, columns):
        got = original(self, batch, columns)
        added.append(len(batch) if got is not None else 0)
        return got

    monkeypatch.setattr(fastmap.MapColumns, "add", spy)
    return added


def test_the_new_jobs_take_the_fast_path(tmp_path, users, monkeypatch):
    """A spy on the columnar output (the real one still runs): orders as CSV and NDJSON,
    numbers as text, words and ids go through map_batch; text lines are no objects for
    group_aggregate, and JSON strings of numbers go through map()."""
    added = taken_rows(monkeypatch)
    rows = _orders()
    table = _orders_csv(tmp_path / "orders.csv", rows)
    ndjson = oracles.write_ndjson(
        tmp_path / "orders.jsonl", [{**r, "amount": json.loads(r["amount"])} for r in rows]
    )
    texts = oracles.write_ndjson(tmp_path / "texts.jsonl", rows)  # amounts as JSON strings
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("".join(f"{i * 7 - 300}\n" for i in range(300)))
    words = tmp_path / "words.txt"
    words.write_text("\n".join(oracles.text_lines()) + "\n", encoding="utf-8")
    path, records = users["ints"]
    for job, data, params, expected in (
        ("group_aggregate", table, {}, len(rows)),
        ("group_aggregate", ndjson, {}, len(rows)),
        ("group_aggregate", texts, {}, 0),
        ("group_aggregate", numbers, {}, 0),
        ("sum_numbers", numbers, {}, 300),
        ("sum_numbers", table, {"field": "amount"}, len(rows)),
        ("top_n", words, {}, 400),
        ("top_n", path, {"field": "id"}, len(records)),
    ):
        added.clear()
        config = ("sequential", 1, None, 2)
        options = {"params": params, "skip_bad_records": True}
        run_both(tmp_path, job, row_job(tmp_path, job, JOBS[job]), [data], config, **options)
        assert sum(added) == expected, (job, data.name)


def test_the_first_of_1_and_1_0_is_kept_across_blocks(tmp_path, small_blocks):
    """1 and 1.0 are one key and the first one seen is kept: a float key sends its block
    through map(), and the blocks after it too, so a later int 1 does not win."""
    first = [{"k": 1.0, "v": 1}, *({"k": i % 3, "v": i} for i in range(40))]
    path = oracles.write_ndjson(tmp_path / "in.jsonl", first)
    row = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    params = {"by": "k", "field": "v"}
    results = run_both(
        tmp_path, "group_aggregate", row, [path], ("sequential", 1, None, 1), params=params
    )
    assert_same(results)
    assert b'{"k":1.0,' in results[0][0]["part-00000.jsonl"]


def test_column_text_of_sliced_large_and_null_columns():
    from jobs.word_count import column_text

    column = pa.array(["x", "Hello", None, "wörld", "y"], pa.string()).slice(1, 3)
    assert column_text(column) == "Hello\nwörld\n".encode()
    assert column_text(column.cast(pa.large_string())) == "Hello\nwörld\n".encode()
    assert column_text(pa.array([None, None], pa.string())) == b""
    assert column_text(["Hello", "wörld"]) == "Hello\nwörld\n".encode()
    assert column_text([]) == b""


def _delimited(path, records, delimiter):
    """The records as _plain_csv writes them, fields separated by `delimiter` (no value
    holds a comma)."""
    text = _plain_csv(path, records).read_text(encoding="utf-8")
    path.write_text(text.replace(",", delimiter), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "delimiter", "option"), [
    ("in.tsv", "\t", None),
    ("in.csv", ";", ";"),
    ("in.txt", "|", "|"),
])  # fmt: skip
@pytest.mark.parametrize("config", CONFIGS[1:], ids=IDS[1:])
def test_delimited_csv_on_both_paths_gives_the_comma_files_answer(
    tmp_path, users, config, name, delimiter, option, monkeypatch
):
    """A tab-, semicolon- or pipe-separated file is read as the same records as its comma
    CSV, on the fast path (its blocks through map_batch) and the row path; a quoted field
    holding the delimiter sends its block down the row path. Before, .tsv was 'cannot tell
    the format' and a ';' file was one column."""
    added = taken_rows(monkeypatch)
    _, records = users["ints"]
    plain = str.maketrans({c: " " for c in ",;|\t"})
    records = [{**r, "id": f"{r['id']:05d}", "name": r["name"].translate(plain)} for r in records]
    comma = _plain_csv(tmp_path / "comma.csv", records)
    data = _delimited(tmp_path / name, records, delimiter)
    quoted = tmp_path / f"quoted-{name}"
    with open(quoted, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(records[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows({**r, "name": f"{r['name']}{delimiter}x"} for r in records)
    options = {"input_format": "csv", "delimiter": option} if option else {}
    for job, cls, params in (
        ("latest_by_key", "LatestByKey", {}),
        ("group_aggregate", "GroupAggregate", {"by": "name", "field": "n"}),
    ):
        row = row_job(tmp_path, job, cls)
        expected = run_both(tmp_path, job, row, [comma], config, params=params)
        for fmt in ("ndjson", "csv"):
            added.clear()
            got = run_both(
                tmp_path, job, row, [data], config, params=params, output_format=fmt, **options
            )
            assert_same(got)
            if config[0] != "process":  # the spy sees only this process's calls
                assert sum(added) == len(records), (job, fmt)
            if fmt == "ndjson":
                assert got[0][0] == expected[0][0], job
        got = run_both(tmp_path, job, row, [quoted], config, params=params, **options)
        assert_same(got)
        assert json.dumps(f"{delimiter}x")[1:-1].encode() in b"".join(got[0][0].values()), job


CODECS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: pa.Codec("zstd").compress(data, asbytes=True),
}


def _compressed_inputs(tmp_path, users):
    """(job, plain input, records in it) for each fast-path reader: NDJSON, CSV, text."""
    path, records = users["ints"]
    table = _plain_csv(tmp_path / "users.csv", [{**r, "id": f"{r['id']:05d}"} for r in records])
    orders = _orders_csv(tmp_path / "orders.csv", _orders())
    words = tmp_path / "words.txt"
    lines = oracles.text_lines()
    words.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [
        ("latest_by_key", path, len(records)),
        ("latest_by_key", table, len(records)),
        ("group_aggregate", orders, 500),
        ("word_count", words, len(lines)),
    ]


@pytest.mark.parametrize("ext", list(CODECS))
def test_compressed_inputs_take_the_fast_path_with_the_plain_files_answer(
    tmp_path, users, small_blocks, monkeypatch, ext
):
    """.gz, .bz2, .xz and .zst inputs took the row path whole (word count on a .gz ran
    7x slower than on its plain file): their decompressed streams are now read block by
    block, every block here through map_batch, and a latest winner is read back from the
    stream's copy in the work dir. Same parts as the row path and as the plain file."""
    added = taken_rows(monkeypatch)
    monkeypatch.setattr(declared, "TEXT_BLOCK", 300)
    for job, plain, count in _compressed_inputs(tmp_path, users):
        packed = tmp_path / f"{plain.name}{ext}"
        packed.write_bytes(CODECS[ext](plain.read_bytes()))
        row = row_job(tmp_path, job, JOBS[job])
        added.clear()
        results = run_both(tmp_path / f"z-{job}-{plain.name}", job, row, [packed])
        assert_same(results)
        assert sum(added) == count, (job, plain.name)
        assert len(added) > 3  # many blocks of the stream
        [(plain_files, _), _] = run_both(tmp_path / f"p-{job}-{plain.name}", job, row, [plain])
        assert results[0][0] == plain_files, (job, plain.name)


@pytest.mark.parametrize("config", [CONFIGS[2], CONFIGS[3]], ids=[IDS[2], IDS[3]])
def test_compressed_inputs_on_threads_and_processes(tmp_path, users, config):
    for job, plain, _ in _compressed_inputs(tmp_path, users):
        packed = tmp_path / f"{plain.name}.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        row = row_job(tmp_path, job, JOBS[job])
        results = run_both(tmp_path / f"z-{job}-{plain.name}", job, row, [packed, plain], config)
        assert_same(results)


def test_a_declined_block_of_a_compressed_input_is_read_from_memory(
    tmp_path, small_blocks, monkeypatch
):
    """Bad records in a .gz stream: their blocks take the row path, which reports them
    by the line of the decompressed stream, as for the plain file, and reads the block
    from the bytes in hand; the stream is not decompressed again up to each such block."""
    lines = []
    for i in range(400):
        stamp = f"2024-01-{1 + i % 28:02d}T00:00:00Z"
        lines.append(f'{{"id": {i % 37}, "updated_at": "{stamp}"}}' if i % 50 else "not json")
    data = ("\ufeff" + "\n".join(lines) + "\n").encode()  # and a BOM
    plain, packed = tmp_path / "in.jsonl", tmp_path / "in.jsonl.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    opened: list[str] = []
    original = chunks.Decompressed.__init__

    def spy(self, path, *args, **kwargs):
        opened.append(path)
        original(self, path, *args, **kwargs)

    monkeypatch.setattr(chunks.Decompressed, "__init__", spy)
    config, skip = ("sequential", 1, None, 2), {"skip_bad_records": True}
    results = run_both(tmp_path / "z", "latest_by_key", row, [packed], config, **skip)
    assert_same(results)
    # in each run: listing, the stream, the rejects' line counter; not once per declined
    # block (8 here)
    assert len(opened) == 6, opened
    [(plain_files, counters), _] = run_both(
        tmp_path / "p", "latest_by_key", row, [plain], config, **skip
    )
    assert counters["bad_records"] == 8
    rejects = results[0][0].pop("_rejects.jsonl")
    assert rejects.replace(b"in.jsonl.gz", b"in.jsonl") == plain_files.pop("_rejects.jsonl")
    assert b'"location":"line 51"' in rejects
    assert results[0][0] == plain_files


def test_a_resumed_run_reads_winners_back_from_the_streams_copy(
    tmp_path, users, small_blocks, monkeypatch
):
    """The copy of a compressed input's stream lives in the work dir as long as a done
    map task's spill refers to it: a run whose reduce failed resumes from it, and the work
    dir (copy included) is gone once the output is committed."""
    from mapreduce.errors import TaskFailedError

    path, records = users["ints"]
    packed = tmp_path / "users.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    state = tmp_path / "state"
    spec = RunSpec(
        job="latest_by_key",
        inputs=(str(packed),),
        out=str(tmp_path / "out"),
        executor="sequential",
        reducers=2,
        max_attempts=1,
        state_dir=str(state),
    )
    monkeypatch.setenv("MAPREDUCE_FAULTS", "reduce:1:raise")
    with pytest.raises(TaskFailedError):
        run(spec)
    assert [p.name for p in state.rglob("*.input")] == ["map-00000-0.input"]
    monkeypatch.delenv("MAPREDUCE_FAULTS")
    mapped = []
    monkeypatch.setattr(fastmap, "map_blocks", lambda *args: mapped.append(args))
    run(spec)
    assert not mapped  # the map task was reused
    got = [json.loads(line) for part in oracles.part_bytes(tmp_path / "out").values()
           for line in part.splitlines()]  # fmt: skip
    assert {oracles.key_token(r["id"]): r for r in got} == oracles.latest_by_key(records)
    assert not list(state.rglob("*.input*"))


def _statuses(rows):
    statuses = ["paid", "paid!", "pending", "", "é"]
    return [{**r, "status": statuses[i % len(statuses)]} for i, r in enumerate(rows)]


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_group_aggregate_by_several_fields_on_both_paths(tmp_path, config, monkeypatch):
    """`-p by=country,status` (SQL's GROUP BY country, status) was "missing field
    'country,status'". Each output record names both fields; text groups go through
    map_batch, sorted field by field ("paid" before "paid!"), on CSV and NDJSON."""
    added = taken_rows(monkeypatch)
    rows = _statuses(_orders())
    table = tmp_path / "orders.csv"
    lines = ["id,country,status,amount"]
    lines += [f"{r['id']},{r['country']},{r['status']},{r['amount']}" for r in rows]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    numbers = [{**r, "amount": json.loads(r["amount"])} for r in rows]
    ndjson = oracles.write_ndjson(tmp_path / "orders.jsonl", numbers)
    row = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    expected = {}
    for (country, status), stats in _grouped(rows, ("country", "status")).items():
        expected[(country, status)] = stats
    for data in (table, ndjson):
        added.clear()
        params = {"params": {"by": "country, status"}}
        results = run_both(tmp_path, "group_aggregate", row, [data], config, **params)
        assert_same(results)
        got = {}
        for part in results[0][0].values():
            records = [json.loads(line) for line in part.splitlines()]
            groups = [(r["country"], r["status"]) for r in records]
            assert groups == sorted(groups)  # each part in the order of the values
            got.update({(r.pop("country"), r.pop("status")): r for r in records})
        assert got == expected
        if config[0] != "process":
            assert sum(added) == len(rows), data.name  # every block through map_batch


def _grouped(rows, names):
    """oracles.group_aggregate over a group of several fields."""
    keyed = [{**r, "group": json.dumps([r[n] for n in names])} for r in rows]
    found = oracles.group_aggregate(keyed, "group", "amount")
    return {tuple(json.loads(token[1])): stats for token, stats in found.items()}


def test_group_aggregate_by_fields_of_numbers_nulls_and_nuls(tmp_path, small_blocks):
    """Ints are one string key with the texts (1.0 is 1); a null or a NUL in a text
    makes a tuple key, through map(): the same parts on both paths, each group's values
    as they were read."""
    records = []
    for i in range(300):
        year = [2024, 2025, "2024", None, 2024.0][i % 5]
        tag = ["a", "b", "a\x00b", "c"][i % 7 % 4] if i % 5 else "x"
        records.append({"year": year, "tag": tag, "v": i % 11 + (0.5 if i % 3 else 0)})
    path = oracles.write_ndjson(tmp_path / "in.jsonl", records)
    row = row_job(tmp_path, "group_aggregate", "GroupAggregate")
    options = {"params": {"by": "year,tag", "field": "v"}}
    results = run_both(tmp_path, "group_aggregate", row, [path], CONFIGS[1], **options)
    assert_same(results)
    got = [json.loads(line) for part in results[0][0].values() for line in part.splitlines()]
    counts = Counter((r["year"], r["tag"]) for r in records)
    assert {(r["year"], r["tag"]): r["count"] for r in got} == counts


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_latest_by_key_on_a_key_of_several_fields(tmp_path, config, monkeypatch):
    """`-p key=order,line` (a composite key) was "missing field 'order,line'". Keys of
    texts and ints go through map_batch on CSV and NDJSON; a null part is a bad record.
    The winners are the oracle's, on both paths."""
    added = taken_rows(monkeypatch)
    rng = random.Random(9)
    records = []
    for i in range(400):
        order, line = rng.choice(["A1", "A10", "B", "é"]), rng.choice(["1", "2", "10", ""])
        stamp = f"2024-01-{1 + rng.randrange(28):02d}T0{rng.randrange(10)}:00:00Z"
        records.append({"order": order, "line": line, "updated_at": stamp, "n": i})
    table = _plain_csv(tmp_path / "lines.csv", records)
    ndjson = oracles.write_ndjson(tmp_path / "lines.jsonl", records)
    numbers = [{**r, "line": int(r["line"] or 0)} for r in records]
    numbered = oracles.write_ndjson(tmp_path / "numbered.jsonl", numbers)
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    for data, source in ((table, records), (ndjson, records), (numbered, numbers)):
        added.clear()
        results = run_both(
            tmp_path, "latest_by_key", row, [data], config, params={"key": "order,line"}
        )
        assert_same(results)
        got = [json.loads(line) for part in results[0][0].values() for line in part.splitlines()]
        if data == table:
            got = [{**r, "n": int(r["n"])} for r in got]
        keyed = [{**r, "pair": json.dumps([r["order"], r["line"]])} for r in source]
        expected = oracles.latest_by_key(keyed, key="pair")
        assert {oracles.key_token(json.dumps([r["order"], r["line"]])): r for r in got} == {
            token: {k: v for k, v in r.items() if k != "pair"} for token, r in expected.items()
        }
        if config[0] != "process":
            assert sum(added) == len(source), data.name


def test_a_null_part_of_a_key_is_a_bad_record(tmp_path):
    path = oracles.write_ndjson(
        tmp_path / "in.jsonl",
        [
            {"a": "x", "b": None, "updated_at": "2024-01-01"},
            {"a": "x", "b": "y", "updated_at": "2024-01-01"},
        ],
    )
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    options = {"params": {"key": "a,b"}, "skip_bad_records": True}
    results = run_both(tmp_path, "latest_by_key", row, [path], CONFIGS[1], **options)
    assert_same(results)
    [reject] = results[0][0]["_rejects.jsonl"].splitlines()
    assert json.loads(reject)["reason"] == "key field 'b' is null"


@pytest.mark.parametrize("config", CONFIGS[1:], ids=IDS[1:])
def test_crlf_csv_takes_the_fast_path_with_the_lf_files_answer(
    tmp_path, users, small_blocks, config, monkeypatch
):
    """CSV with CRLF line ends (as Excel writes it) took the row path in every block, 3x
    slower: now its blocks go through map_batch, with the LF file's parts. A carriage
    return anywhere else, or a blank CRLF line, sends its block through map()."""
    added = taken_rows(monkeypatch)
    _, records = users["ints"]
    records = [{**r, "id": f"{r['id']:05d}"} for r in records]
    lf = _plain_csv(tmp_path / "lf.csv", records)
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(lf.read_bytes().replace(b"\n", b"\r\n"))
    lines = crlf.read_bytes().split(b"\r\n")
    odd = tmp_path / "odd.csv"  # a lone CR in one row's name, a blank CRLF line later
    lines[7] = lines[7].replace(b",", b",\r", 1)
    odd.write_bytes(b"\r\n".join([*lines[:40], b"", *lines[40:]]))
    for job, cls, params in (
        ("latest_by_key", "LatestByKey", {}),
        ("group_aggregate", "GroupAggregate", {"by": "name", "field": "n"}),
    ):
        row = row_job(tmp_path, job, cls)
        expected = run_both(tmp_path, job, row, [lf], config, params=params)
        added.clear()
        got = run_both(tmp_path, job, row, [crlf], config, params=params)
        assert_same(got)
        assert got[0][0] == expected[0][0], job
        if config[0] != "process":
            assert sum(added) == len(records), job
        added.clear()
        options = {"params": params, "skip_bad_records": True}
        assert_same(run_both(tmp_path, job, row, [odd], config, **options))
        if config[0] != "process":
            assert 0 < sum(added) < len(records), job  # the odd blocks through map()
