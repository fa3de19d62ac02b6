"""The JSON counting pass: range summaries agree with a byte-by-byte state machine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.formats.jsonscan import (
    ESCAPED,
    IDENTITY,
    INSIDE,
    OUT_ESCAPED,
    OUTSIDE,
    advance,
    compose,
    scan,
    summarize,
    summarize_bytes,
)

_DEPTH = {ord("["): (1, 0), ord("]"): (-1, 0), ord("{"): (0, 1), ord("}"): (0, -1)}


def reference(data: bytes, string: int) -> tuple[int, int, int]:
    """The state after `data` entered in `string`, one byte at a time (the rules in jsonscan)."""
    sq = cu = 0
    for byte in data:
        if string in (ESCAPED, OUT_ESCAPED):
            string = INSIDE if string == ESCAPED else OUTSIDE
        elif byte == ord("\\"):
            string = ESCAPED if string == INSIDE else OUT_ESCAPED
        elif byte == ord('"'):
            string = INSIDE if string == OUTSIDE else OUTSIDE
        elif string == OUTSIDE and byte in _DEPTH:
            sq, cu = sq + _DEPTH[byte][0], cu + _DEPTH[byte][1]
    return string, sq, cu


structure = st.binary(max_size=0) | st.lists(
    st.sampled_from(
        [b"\\", b"\\\\", b'"', b'\\"', b"[", b"]", b"{", b"}", b"a", b",", b" ", b"\n"]
    ),
    max_size=24,
).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(data=structure)
def test_summary_matches_the_byte_by_byte_state_machine_for_every_entry_state(data):
    assert summarize_bytes(data) == tuple(reference(data, s) for s in range(4))


@settings(max_examples=300, deadline=None)
@given(data=structure, cut=st.integers(0, 24))
def test_summaries_compose_across_any_cut(data, cut):
    cut = min(cut, len(data))
    joined = compose(summarize_bytes(data[:cut]), summarize_bytes(data[cut:]))
    assert joined == summarize_bytes(data)
    assert compose(IDENTITY, joined) == joined == compose(joined, IDENTITY)


def test_summarize_reads_a_file_range_in_chunks(tmp_path, monkeypatch):
    import mapreduce.formats.jsonscan as jsonscan

    data = b'[{"a": "\\\\"}, ["\\"]", {"b": [1, 2]}]] x' * 3
    path = tmp_path / "r.json"
    path.write_bytes(data)
    monkeypatch.setattr(jsonscan, "_CHUNK", 5)
    for start, end in [(0, len(data)), (3, 40), (17, 18)]:
        assert summarize(str(path), start, end) == summarize_bytes(data[start:end])
        state = advance((OUTSIDE, 0, 0), summarize(str(path), 0, start))
        assert state == reference(data[:start], OUTSIDE)


def test_scan_stops_where_elements_start_or_arrays_end():
    buf = b'{"x": "],"}, 2] ['
    assert scan(buf, 0, (1, 0), 100) == ("comma", 11, 12, (1, 0))
    assert scan(buf, 12, (1, 0), 100) == ("close", 14, 15, (0, 0))
    assert scan(buf, 15, (0, 0), 100) == ("open", 16, 17, (1, 0))
    assert scan(buf, 12, (1, 0), 13) == ("limit", 14, 14, (1, 0))
    assert scan(b'[1, "unfinished', 0, (0, 0), 100)[0] == "open"
    assert scan(b'1, "unfinished', 3, (1, 0), 100) == ("more", 3, 3, (1, 0))
