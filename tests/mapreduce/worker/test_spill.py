"""Spill files: sections per partition, codecs, streaming reads and verification."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.errors import JobError
from mapreduce.keys import BoolKey
from mapreduce.worker.spill import (
    SpillWriter,
    read_section,
    read_sections,
    verify_spill,
    write_spill,
)

values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=50)
@given(st.lists(st.lists(st.tuples(st.text(), values), max_size=20), min_size=1, max_size=4))
def test_sections_round_trip(tmp_path_factory, sections):
    path = str(tmp_path_factory.mktemp("spill") / "x.spill")
    spill = write_spill(path, sections)
    assert spill.pairs == tuple(len(s) for s in sections)
    for index, pairs in enumerate(sections):
        assert list(read_section(path, index)) == [tuple(p) for p in pairs]
    assert verify_spill(spill)


def test_values_marshal_cannot_take_fall_back_to_pickle(tmp_path):
    path = str(tmp_path / "x.spill")
    write_spill(path, [[(BoolKey(True), {1, 2})], [("a", 1)]])
    assert list(read_section(path, 0)) == [(BoolKey(True), {1, 2})]
    assert list(read_section(path, 1)) == [("a", 1)]


def test_large_sections_stream_in_frames(tmp_path):
    path = str(tmp_path / "x.spill")
    pairs = [(f"k{i}", i) for i in range(50_000)]
    writer = SpillWriter(path)
    writer.begin_section()
    for key, value in pairs:
        writer.write(key, value)
    writer.close()
    assert list(read_sections([path, path], 0)) == pairs + pairs


def test_verification_catches_a_changed_file(tmp_path):
    path = tmp_path / "x.spill"
    spill = write_spill(str(path), [[("a", 1), ("b", 2)]])
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not verify_spill(spill)
    path.unlink()
    assert not verify_spill(spill)


def test_truncated_file_is_reported(tmp_path):
    path = tmp_path / "x.spill"
    write_spill(str(path), [[("a", 1)]])
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(OSError, match="truncated"):
        list(read_section(str(path), 0))


def test_nothing_is_left_under_the_final_name_when_writing_fails(tmp_path):
    path = tmp_path / "x.spill"

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("no")

    with pytest.raises(JobError, match="RuntimeError: no"):
        write_spill(str(path), [[("a", Unpicklable())]])
    assert list(tmp_path.iterdir()) == []


def test_a_value_pickle_cannot_write_is_the_jobs_error_naming_its_key(tmp_path):
    """A lock in a value was a bare TypeError, retried as if the machine had failed."""
    import threading

    path = tmp_path / "x.spill"
    refused = r"\(TypeError: cannot pickle '_thread.lock' object\); keys and values"
    with pytest.raises(
        JobError, match=r"^a pair for key 'b' cannot be written to a spill file " + refused
    ):
        write_spill(str(path), [[("a", BoolKey(True)), ("b", threading.Lock())]])
    assert list(tmp_path.iterdir()) == []
