"""Typed parameters, steps and counters of the Job base class."""

import pytest

from mapreduce.errors import JobFileError, UsageError
from mapreduce.job import Job, Param


def test_parameters_are_typed_and_checked():
    class J(Job):
        flag = Param(bool, False)
        ratio = Param(float, 0.5)

        def map(self, record):
            yield record, 1

    assert J.parse_params(["flag=yes", "ratio=2"]) == {"flag": True, "ratio": 2.0}
    with pytest.raises(UsageError, match=r"unknown parameter 'nope'.*known: flag, ratio"):
        J.parse_params(["nope=1"])
    with pytest.raises(UsageError, match="not a valid float"):
        J.parse_params(["ratio=abc"])
    with pytest.raises(UsageError, match="name=value"):
        J.parse_params(["flag"])


def test_a_job_without_merge_or_reduce_is_refused():
    class J(Job):
        def map(self, record):
            yield record, 1

    with pytest.raises(JobFileError, match="neither merge"):
        J().steps()


def test_counters_add_up():
    job = Job()
    job.count("a")
    job.count("a", 4)
    assert job._counters == {"a": 5}


def test_param_choices_are_checked_when_parsed_and_when_given():
    class A(Job):
        unit = Param(str, "s", choices=("s", "ms"))

    assert A.parse_params(["unit=ms"]) == {"unit": "ms"}
    with pytest.raises(UsageError, match="must be one of s, ms"):
        A.parse_params(["unit=xx"])
    with pytest.raises(UsageError, match="must be one of s, ms"):
        A.complete_params({"unit": "xx"})
    assert A.complete_params({}) == {"unit": "s"}


def test_param_minimum_is_checked_when_parsed_and_when_given():
    """top_n with -p n=-1 wrote an empty output without a word."""
    from jobs.top_n import TopN

    for given in ("n=0", "n=-1"):
        with pytest.raises(UsageError, match=f"parameter {given}.* must be at least 1"):
            TopN.parse_params([given])
    with pytest.raises(UsageError, match="must be at least 1"):
        TopN.complete_params({"n": 0})
    assert TopN.complete_params({"n": 1})["n"] == 1


def test_map_batch_none_turns_a_parents_fast_path_off(tmp_path):
    """`map_batch = None` made has_map_batch() true, and every map task then called None."""
    from jobs.latest_by_key import LatestByKey
    from mapreduce.cli import main
    from tests import oracles

    class RowLatest(LatestByKey):
        map_batch = None

    assert LatestByKey.has_map_batch() and not RowLatest.has_map_batch()
    users = oracles.versioned_users(count=300)
    path = oracles.write_ndjson(tmp_path / "users.jsonl", users)
    job = tmp_path / "row_latest.py"
    job.write_text(
        "from jobs.latest_by_key import LatestByKey\n\n"
        "class RowLatest(LatestByKey):\n"
        "    map_batch = None\n"
    )
    for name, runner in (("fast", "latest_by_key"), ("row", str(job))):
        argv = ["run", runner, str(path), "-o", str(tmp_path / name), "--quiet"]
        assert main([*argv, "--state-dir", str(tmp_path / "state")]) == 0
    assert oracles.part_bytes(tmp_path / "row") == oracles.part_bytes(tmp_path / "fast")
