"""Tests for mapreduce.console: stable text for status and purge, and age parsing."""

from __future__ import annotations

import doctest
import time
from collections.abc import Iterator

import pytest

from mapreduce.cli import render as console
from mapreduce.cli.render import (
    format_bytes,
    format_duration,
    parse_age,
    render_purge,
    render_run,
    render_runs,
    render_summary,
)
from mapreduce.engine.ledger import PurgeResult, RunInfo, TaskInfo
from mapreduce.engine.spec import RunSummary
from mapreduce.errors import UsageError

T0 = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC here, so rendered times are the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make_run(**changes: object) -> RunInfo:
    fields: dict[str, object] = dict(
        run_id="20261118-110640-7f3a",
        job="wordcount",
        job_path="jobs/wc.py",
        out="out/wc",
        state="running",
        params={"min": 2, "name": "x"},
        inputs=[
            {"path": "data/a.ndjson", "size": 1_500_000, "mtime_ns": 1},
            {"path": "data/b.ndjson", "size": 700, "mtime_ns": 2},
        ],
        config={"executor": "process"},
        work_dir="/w",
        created_at=T0,
        finished_at=None,
        counters={},
        error=None,
        tasks_total=40,
        tasks_done=12,
    )
    fields.update(changes)
    return RunInfo(**fields)  # type: ignore[arg-type]


def test_public_surface() -> None:
    assert sorted(console.__all__) == [
        "format_bytes",
        "format_duration",
        "parse_age",
        "render_purge",
        "render_run",
        "render_runs",
        "render_summary",
    ]


def test_doctests() -> None:
    assert doctest.testmod(console).failed == 0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 604_800),
        ("12h", 43_200),
        ("30m", 1800),
        ("45s", 45),
        ("2w", 1_209_600),
        ("0d", 0),
        (" 1D12h ", 129_600),
        ("1.5h", 5400),
    ],
)
def test_parse_age(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "7 d", "1d 2h", "seven days", "1e3s"])
def test_parse_age_rejects(text: str) -> None:
    with pytest.raises(
        UsageError,
        match=r"cannot read the age .*: write a number and a unit "
        r"\(s, m, h, d or w\), for example --older-than 7d",
    ):
        parse_age(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-3, "0.0s"),
        (0.42, "0.4s"),
        (9.96, "10.0s"),
        (45, "45s"),
        (185, "3m05s"),
        (3720, "1h02m"),
        (183_600, "2d03h"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (45_200_000, "45.2 MB"),
        (3 * 10**9, "3.0 GB"),
        (5 * 10**15, "5000.0 TB"),
    ],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_render_runs() -> None:
    runs = [
        make_run(),
        make_run(
            run_id="20261117-000000-0001",
            job="top-users",
            state="done",
            created_at=T0 - 86_400,
            finished_at=T0 - 86_400 + 3720,
            tasks_total=3,
            tasks_done=3,
        ),
    ]
    runs.append(make_run(run_id="20261116-000000-0002", out="out/other", inputs=[]))
    assert render_runs(runs, now=T0 + 185, stale={"20261116-000000-0002"}) == (
        "RUN                   JOB        STATE    PROGRESS  STARTED              DURATION"
        "  OUT        INPUTS\n"
        "20261118-110640-7f3a  wordcount  running     12/40  2026-11-18 11:06:40     3m05s"
        "  out/wc     a.ndjson +1\n"
        "20261117-000000-0001  top-users  done          3/3  2026-11-17 11:06:40     1h02m"
        "  out/wc     a.ndjson +1\n"
        "20261116-000000-0002  wordcount  stale       12/40  2026-11-18 11:06:40     3m05s"
        "  out/other  -"
    )


def test_render_runs_empty() -> None:
    assert render_runs([], now=T0) == "no runs yet"


def test_render_run() -> None:
    run = make_run(
        state="failed",
        finished_at=T0 + 185,
        tasks_total=3,
        tasks_done=1,
        error="map-00001 failed on every attempt:\nValueError: boom",
        counters={"map": {"records_in": 123_456, "bad": 0}, "seconds": 1.5},
    )
    tasks = [
        TaskInfo("map-00000", "map", 0, "done", 1, 11, T0, T0 + 3.25, None, {"spills": []}),
        TaskInfo(
            "map-00001",
            "map",
            1,
            "failed",
            3,
            None,
            T0 + 1,
            T0 + 100,
            "Traceback (most recent call last):\n  File 'x'\nValueError: " + "b" * 80,
            None,
        ),
        TaskInfo("reduce-00000", "reduce", 0, "pending", 0, None, None, None, None, None),
    ]
    assert render_run(run, tasks, now=T0 + 999) == "\n".join(
        [
            "run       20261118-110640-7f3a",
            "job       wordcount (jobs/wc.py)",
            "out       out/wc",
            "state     failed",
            "started   2026-11-18 11:06:40, duration 3m05s",
            "progress  1/3 tasks done (1 failed)",
            "inputs    2 files, 1.5 MB",
            "          data/a.ndjson  1.5 MB",
            "          data/b.ndjson  700 B",
            'params    min=2, name="x"',
            "error     map-00001 failed on every attempt:",
            "          ValueError: boom",
            "",
            "TASK          STATE    ATTEMPTS  DURATION  ERROR",
            "map-00000     done            1      3.2s",
            "map-00001     failed          3     1m39s  ValueError: " + "b" * 59 + "…",
            "reduce-00000  pending         0         -",
            "",
            "counters",
            "  map.bad               0",
            "  map.records_in  123,456",
            "  seconds           1.500",
        ]
    )


def test_render_run_without_tasks_inputs_or_counters() -> None:
    run = make_run(params={}, inputs=[], tasks_total=0, tasks_done=0)
    text = render_run(run, [], now=T0 + 5)
    assert "inputs    0 files, 0 B\n" in text
    assert "params    (none)\n" in text
    assert text.endswith("\n\nno tasks planned yet")
    assert "error" not in text and "counters" not in text


def test_render_run_running_task_and_many_inputs() -> None:
    inputs = [{"path": f"d/{i}.csv", "size": 10, "mtime_ns": 0} for i in range(8)]
    run = make_run(inputs=inputs)
    tasks = [TaskInfo("map-00000", "map", 0, "running", 2, None, T0, None, "OSError: x", None)]
    text = render_run(run, tasks, now=T0 + 45)
    assert "progress  12/40 tasks done (1 running)\n" in text
    assert "inputs    8 files, 80 B\n" in text
    assert "          d/4.csv  10 B\n          … and 3 more\n" in text
    assert "map-00000  running         2       45s  OSError: x" in text


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (PurgeResult(3, 120, 45_200_000), "purged 3 runs (120 tasks), freed 45.2 MB"),
        (PurgeResult(1, 1, 10), "purged 1 run (1 task), freed 10 B"),
        (PurgeResult(0, 0, 0), "purged 0 runs (0 tasks), freed 0 B"),
    ],
)
def test_render_purge(result: PurgeResult, text: str) -> None:
    assert render_purge(result) == text


def test_render_run_of_a_stale_run_and_one_input() -> None:
    run = make_run(pid=4242, inputs=[{"path": "data/a.ndjson", "size": 5, "mtime_ns": 1}])
    text = render_run(run, [], now=T0 + 5, stale=True)
    assert (
        "state     stale (running, but its coordinator, pid 4242, is gone; "
        "`mapreduce resume 20261118-110640-7f3a` finishes it)\n"
    ) in text
    assert "inputs    1 file, 5 B\n" in text


def make_summary(**changes: object) -> RunSummary:
    fields: dict[str, object] = dict(
        run_id="20261118-110640-7f3a",
        out="/data/out",
        resumed=False,
        counters={
            "records_read": 1_000,
            "bad_records": 2,
            "pairs_emitted": 3_000,
            "pairs_after_combine": 40,
            "records_written": 20,
            "bytes_read": 45_200,
            "map_tasks": 1,
            "reduce_tasks": 1,
        },
        user_counters={},
        timings={"plan": 0.01, "map": 1.5, "reduce": 0.25, "commit": 0.01, "total": 75.0},
        executor="process",
        workers=1,
        reducers=1,
        files=["part-00000.jsonl"],
    )
    fields.update(changes)
    return RunSummary(**fields)  # type: ignore[arg-type]


def test_render_summary_of_a_combining_run() -> None:
    assert render_summary(make_summary()).splitlines() == [
        "run                  20261118-110640-7f3a",
        "output               /data/out",
        "records read         1,000",
        "pairs emitted        3,000",
        "pairs after combine  40",
        "records written      20",
        "bad records          2",
        "bytes read           45.2 KB",
        "tasks                1 map, 1 reduce",
        "executor             process, 1 worker, 1 reducer",
        "time plan            0.01 s",
        "time map             1.50 s",
        "time reduce          0.25 s",
        "time commit          0.01 s",
        "time total           1m15s",
    ]


def test_a_database_output_shows_its_load_time() -> None:
    timings = {"plan": 0.01, "map": 1.5, "reduce": 0.25, "load": 0.8, "total": 2.6}
    lines = render_summary(make_summary(timings=timings)).splitlines()
    assert lines[-3:] == [
        "time reduce          0.25 s",
        "time load            0.80 s",
        "time total           2.60 s",
    ]


def test_render_summary_of_a_sequential_reduce_run_with_retries() -> None:
    summary = make_summary(
        executor="sequential",
        workers=4,
        reducers=3,
        combined=False,
        retries=2,
        resumed=True,
        user_counters={"skipped": 7},
    )
    lines = render_summary(summary).splitlines()
    assert lines[0] == "run              20261118-110640-7f3a  (resumed)"
    assert not any("after combine" in line for line in lines)
    assert "executor         sequential, 3 reducers" in lines
    assert "retries          2 attempts retried" in lines
    assert lines[-1] == "counter skipped  7"
