"""The engine's decisions: what changed since a recorded run, and how splits are sized."""

from types import SimpleNamespace

from mapreduce.engine import DEFAULT_SPLIT_SIZE, RunSpec, _changes, _split_size


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
    assert _changes(old, inputs, config) == [
        "input a.jsonl changed (size 10 → 12 bytes)",
        "input b.jsonl changed (same size, modified since)",
        "input gone.jsonl is gone",
        "input new.jsonl was added",
        "job file j.py changed",
        "params changed ({'key': 'id'} → {'key': 'uid'})",
    ]  # workers may differ: it does not change the output
    assert _changes(old, old.inputs, dict(old.config)) == []


def test_split_size_shrinks_for_small_inputs_only():
    spec = RunSpec(job="j", inputs=(), out="o")
    assert _split_size(spec, 10 * DEFAULT_SPLIT_SIZE, 2) == DEFAULT_SPLIT_SIZE
    assert _split_size(spec, 100 * 2**20, 2) == 25 * 2**20  # two splits per worker
    assert _split_size(spec, 1000, 2) == 2**20  # never below 1 MiB
    assert _split_size(RunSpec(job="j", inputs=(), out="o", split_size=7), 10**9, 2) == 7
