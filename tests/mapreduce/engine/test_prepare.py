"""Preparing a run: what changed since a recorded run, and how splits are sized."""

from types import SimpleNamespace

from mapreduce.engine.planner import DEFAULT_SPLIT_SIZE, choose_split_size
from mapreduce.engine.prepare import changes


def test_changes_name_what_differs():
    old = SimpleNamespace(
        inputs=[
            {"path": "a.jsonl", "size": 10, "mtime_ns": 1},
            {"path": "b.jsonl", "size": 5, "mtime_ns": 1},
            {"path": "gone.jsonl", "size": 1, "mtime_ns": 1},
        ],
        config={"job": "j.py", "job_digest": "x", "params": {"key": "id"}, "workers": 2},
    )
    inputs = [
        {"path": "a.jsonl", "size": 12, "mtime_ns": 2},
        {"path": "b.jsonl", "size": 5, "mtime_ns": 2},
        {"path": "new.jsonl", "size": 1, "mtime_ns": 1},
    ]
    config = {"job": "j.py", "job_digest": "y", "params": {"key": "uid"}, "workers": 8}
    assert changes(old, SimpleNamespace(inputs=inputs, config=config)) == [
        "input a.jsonl changed (size 10 → 12 bytes)",
        "input b.jsonl changed (same size, modified since)",
        "input gone.jsonl is gone",
        "input new.jsonl was added",
        "job file j.py changed",
        "params changed ({'key': 'id'} → {'key': 'uid'})",
    ]  # workers may differ: it does not change the output
    assert changes(old, SimpleNamespace(inputs=old.inputs, config=dict(old.config))) == []


def test_split_size_shrinks_for_small_inputs_only():
    assert choose_split_size(None, 10 * DEFAULT_SPLIT_SIZE, 2) == DEFAULT_SPLIT_SIZE
    assert choose_split_size(None, 100 * 2**20, 2) == 25 * 2**20  # two splits per worker
    assert choose_split_size(None, 1000, 2) == 2**20  # never below 1 MiB
    assert choose_split_size(7, 10**9, 2) == 7


def test_every_worker_gets_as_many_splits():
    total = 854_415_236  # 12.7 splits of 64 MiB: a 13th would run alone on one worker
    size = choose_split_size(None, total, 2)
    assert size <= DEFAULT_SPLIT_SIZE and -(-total // size) == 14
    assert -(-total // choose_split_size(None, total, 3)) == 15
