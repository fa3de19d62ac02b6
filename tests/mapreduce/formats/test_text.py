"""Plain text: lines under every split layout, CRLF, unicode line separators, bad UTF-8."""

from __future__ import annotations

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.engine.planner import plan_splits
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from tests.mapreduce.formats.layouts import BOM, assert_all_layouts, read_splits, write

TRICKY = "first\r\n\nsecond \u2028 not a break\x0c\x1c\x85\r\nthird é😀\r\r\n\rlast".encode()


def oracle(data: bytes) -> list[tuple[int, str]]:
    """(offset, line) for each b"\\n"-terminated line (and a final unterminated one),
    without its "\\n" or "\\r\\n"."""
    lines, pos = [], 0
    pieces = data.split(b"\n")
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        if last and not piece:
            break
        text = piece[3:] if pos == 0 and piece.startswith(BOM) else piece
        line = text.decode()
        lines.append((pos + len(piece) - len(text), line if last else line.removesuffix("\r")))
        pos += len(piece) + 1
    return lines


def test_every_boundary_of_a_tricky_file(tmp_path):
    expected = oracle(TRICKY)
    assert [line for _, line in expected] == [
        "first",
        "",
        "second \u2028 not a break\x0c\x1c\x85",
        "third é😀\r",
        "\rlast",
    ]
    assert_all_layouts(write(tmp_path, "tricky.txt", TRICKY), expected)


def test_lines_that_are_not_utf8_are_reported_and_skipped(tmp_path):
    data = b"ok\nbad \xff here\nfine\n"
    file = assert_all_layouts(
        write(tmp_path, "bad.log", data),
        [(0, "ok"), (14, "fine")],
        [(3, "invalid UTF-8 at byte 5 of the line")],
    )
    assert describe_position(file, 3) == "line 2"


def test_gzip_text_and_bom(tmp_path):
    data = BOM + TRICKY
    path = tmp_path / "notes.md.gz"
    path.write_bytes(gzip.compress(data))
    files = list_inputs([str(path)])
    assert (files[0].format, files[0].compressed) == ("text", True)
    assert read_splits(plan_splits(files, 1)) == (oracle(data), [])
    assert_all_layouts(write(tmp_path, "bom.txt", data), oracle(data))


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.text(st.sampled_from("ab \r\t\u2028\x85é😀"), max_size=5), max_size=6),
    end=st.sampled_from(["\n", "\r\n"]),
    last=st.booleans(),
)
def test_any_split_layout_reads_the_lines(tmp_path_factory, lines, end, last):
    data = (end.join(lines) + (end if last else "")).encode()
    if data:
        path = write(tmp_path_factory.mktemp("text"), "h.txt", data)
        assert_all_layouts(path, oracle(data), sizes=(1, 5))
