"""CSV: quoted newlines and quotes under every split layout, text fields, bad rows, the writer."""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapreduce.engine.planner import plan_splits
from mapreduce.formats import csvfile
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import open_writer
from tests.mapreduce.formats.layouts import BOM, assert_all_layouts, line_starts, read_splits, write

ROWS = [
    ["id", "name", "note", "zip"],
    ["1", "Ann", 'said "hi", then left', "00123"],
    ["2", "Émile", "two\nlines", "007"],
    ["3", "", 'crlf\r\ninside, and ""quotes""\r\n', ""],
    ["4", "😀", '"', "1e5"],
    ["5", "brackets [{", "\n", "-0"],
]


def to_csv(
    rows: list[list[str]], terminator: str = "\r\n", quoting: int = csv.QUOTE_MINIMAL
) -> str:
    """Rows as the csv module writes them; with "\r\n" so that it quotes a lone "\r" too."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=quoting).writerows(rows)
    text = out.getvalue()
    if terminator == "\n":
        rows_ends = [row.getvalue() for row in _rows_of(rows, quoting)]
        text = "".join(row[:-2] + "\n" for row in rows_ends)
    return text


def _rows_of(rows: list[list[str]], quoting: int) -> list[io.StringIO]:
    """Each row written on its own."""
    written = []
    for row in rows:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n", quoting=quoting).writerow(row)
        written.append(out)
    return written


def oracle(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(offset of the record's first line, {header: field}) by the csv module, fed the
    file's lines (split at "\n" only) so that its line_num tells where each record starts."""
    body = data[3:] if data.startswith(BOM) else data
    lines = [line + "\n" for line in body.decode().split("\n")]
    lines[-1] = lines[-1][:-1]
    starts = [start + len(data) - len(body) for start in line_starts(body)]
    reader = csv.reader(line for line in lines if line)
    header, records, consumed = next(reader), [], reader.line_num
    for row in reader:
        if row:
            records.append((starts[consumed], dict(zip(header, row, strict=True))))
        consumed = reader.line_num
    return records


def test_every_boundary_of_a_tricky_file(tmp_path):
    data = BOM + to_csv(ROWS).encode()
    expected = oracle(data)
    assert [r["zip"] for _, r in expected] == ["00123", "007", "", "1e5", "-0"]
    assert expected[2][1]["note"] == 'crlf\r\ninside, and ""quotes""\r\n'
    assert_all_layouts(write(tmp_path, "tricky.csv", data), expected)


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
def test_quote_all_and_no_final_newline(tmp_path, terminator):
    data = to_csv(ROWS, terminator, csv.QUOTE_ALL).removesuffix(terminator).encode()
    assert_all_layouts(write(tmp_path, "all.csv", data), oracle(data))


def test_fields_stay_text(tmp_path):
    data = b"a,b,c\n00123,1.50,true\n"
    assert_all_layouts(
        write(tmp_path, "t.csv", data), [(6, {"a": "00123", "b": "1.50", "c": "true"})]
    )


def test_bad_rows_are_reported_with_position_and_reason_in_any_layout(tmp_path):
    data = (
        b"a,b\n"
        b"1,2\n"
        b"3\n"  # too few fields
        b"4,\xff\n"  # not UTF-8
        b'5,x"y"\n'  # a quote inside an unquoted field: the csv module keeps it
        b'"6,7\n'  # an opening quote never closed: the rest of the file is one record
        b"8,9\n"
    )
    bad = [
        (8, "expected 2 fields as in the header, found 1"),
        (10, "invalid UTF-8 at byte 3 of the record"),
        (21, "malformed CSV: unexpected end of data"),
    ]
    file = assert_all_layouts(
        write(tmp_path, "bad.csv", data),
        [(4, {"a": "1", "b": "2"}), (14, {"a": "5", "b": 'x"y"'})],
        bad,
    )
    assert [describe_position(file, pos) for pos, _ in bad] == ["line 3", "line 4", "line 6"]


def test_stray_quotes_are_read_the_same_in_any_layout(tmp_path):
    data = b'h1,h2\nab"c,"d\ne,f\n"g""h",i\n'
    records, bad = read_splits(plan_splits(list_inputs([write(tmp_path, "q.csv", data)]), 1 << 20))
    assert_all_layouts(write(tmp_path, "q2.csv", data), records, bad)


def test_header_only_blank_lines_and_empty_file(tmp_path):
    assert_all_layouts(
        write(tmp_path, "h.csv", b"\n\r\na,b\r\n\r\n1,2\r\n\n"), [(10, {"a": "1", "b": "2"})]
    )
    assert_all_layouts(write(tmp_path, "only.csv", b"a,b\n"), [])
    assert read_splits(plan_splits(list_inputs([write(tmp_path, "blank.csv", b"\n\n")]), 1)) == (
        [],
        [],
    )


def test_gzip_csv_is_one_split(tmp_path):
    data = to_csv(ROWS).encode()
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(gzip.compress(data))
    assert read_splits(plan_splits(list_inputs([str(path)]), 1)) == (oracle(data), [])


fields = st.lists(
    st.sampled_from(['"', ",", "\n", "\r\n", "\r", " ", "a", "0", "é", "😀", "'", '""']), max_size=6
).map("".join)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A header and rows of tricky fields, written by the csv module in its various styles."""
    width = draw(st.integers(1, 3))
    names = st.text("abc", min_size=1, max_size=2)  # a name twice is an error (test below)
    header = draw(st.lists(names, min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(fields, min_size=width, max_size=width), max_size=5))
    rows = [row for row in rows if row != [""]]  # one empty field is written as a blank line
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    text = to_csv([header, *rows], terminator, quoting)
    if draw(st.booleans()):
        text = text.removesuffix(terminator)
    return (BOM if draw(st.booleans()) else b"") + text.encode()


@settings(max_examples=40, deadline=None)
@given(data=csv_files())
def test_any_split_layout_reads_what_the_csv_module_reads(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("csv"), "h.csv", data)
    assert_all_layouts(path, oracle(data), sizes=(1, 5))


def write_csv(path: Any, records: list[Any]) -> bytes:
    writer = open_writer("csv", str(path))
    for record in records:
        writer.write(record)
    writer.close()
    return path.read_bytes()


def test_writer_unions_keys_and_round_trips_through_the_csv_module(tmp_path):
    records = [
        {"b": "x,y", "a": None},
        {"a": 'say "hi"\nbye', "c": {"n": [1, 2]}, 7: True},
        "not a dict",
        {"b": 1.5, "c": [None, "é"]},
    ]
    data = write_csv(tmp_path / "out.csv", records)
    assert data.count(b"\r") == 0
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert list(rows[0]) == ["b", "a", "c", "7", "value"]
    assert rows == [
        {"b": "x,y", "a": "", "c": "", "7": "", "value": ""},
        {"b": "", "a": 'say "hi"\nbye', "c": '{"n":[1,2]}', "7": "true", "value": ""},
        {"b": "", "a": "", "c": "", "7": "", "value": "not a dict"},
        {"b": "1.5", "a": "", "c": '[null,"é"]', "7": "", "value": ""},
    ]


def test_writer_spills_rows_and_still_writes_the_same_bytes(tmp_path, monkeypatch):
    records = [{"k": i, f"col{i % 4}": "v\n" * (i % 3)} for i in range(25)]
    in_memory = write_csv(tmp_path / "a.csv", records)
    monkeypatch.setattr(csvfile.CsvWriter, "_MEMORY_ROWS", 4)
    spilled = write_csv(tmp_path / "b.csv", records)
    assert spilled == in_memory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
    [file] = list_inputs([str(tmp_path / "b.csv")])
    assert [r["k"] for _, r in read_splits(plan_splits([file], 7))[0]] == [
        str(i) for i in range(25)
    ]


def test_writer_with_no_records_writes_a_header(tmp_path):
    assert write_csv(tmp_path / "empty.csv", []) == b"value\n"


def test_unify_parts_gives_every_part_one_header_empty_parts_included(tmp_path):
    parts = [
        [{"k": "a", "min": 1}],
        [],
        [{"min": 1.02, "k": "b\nc", "extra": 'q"'}],
        [{"k": "d"}],
    ]
    paths = []
    for i, records in enumerate(parts):
        write_csv(tmp_path / f"part-{i}.csv", records)
        paths.append(str(tmp_path / f"part-{i}.csv"))
    csvfile.unify_parts(paths)
    tables = [list(csv.reader(io.StringIO((tmp_path / p).read_text(), newline=""))) for p in paths]
    assert {tuple(table[0]) for table in tables} == {("k", "min", "extra")}
    assert [table[1:] for table in tables] == [
        [["a", "1", ""]],
        [],
        [["b\nc", "1.02", 'q"']],
        [["d", "", ""]],
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"part-{i}.csv" for i in range(4)]


def test_unify_parts_of_an_output_without_records(tmp_path):
    for name in ("a.csv", "b.csv"):
        write_csv(tmp_path / name, [])
    csvfile.unify_parts([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes() == b"value\n"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b'"', b",", b"\n"]), max_size=300),
    st.integers(0, 320),
    st.integers(0, 320),
)
def test_count_quotes_is_the_parity_of_quotes_in_the_range(tmp_path_factory, parts, a, b):
    data = b"".join(parts)
    path = tmp_path_factory.mktemp("q") / "q.csv"
    path.write_bytes(data or b"x")
    start, end = min(a, b), max(a, b)
    assert csvfile.count_quotes(str(path), start, end) == data[start:end].count(b'"') & 1


def test_count_quotes_counts_past_a_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "CHUNK", 7)
    data = b'"a"b"' * 10 + b"\n" + b'x"' * 9
    path = tmp_path / "q.csv"
    path.write_bytes(data)
    for start, end in ((0, len(data)), (3, 40), (1, 2), (50, 50)):
        assert csvfile.count_quotes(str(path), start, end) == data[start:end].count(b'"') & 1


@pytest.mark.parametrize(("name", "delimiter", "given"), [
    ("rows.tsv", "\t", None),
    ("rows.tab", "\t", None),
    ("rows.csv", ";", ";"),
    ("rows.txt", "|", "|"),
    ("rows.tsv", ",", ","),  # a flag beats the extension
])  # fmt: skip
def test_delimited_files_in_any_layout_read_what_the_csv_module_reads(
    tmp_path, name, delimiter, given
):
    rows = [*ROWS, ["6", f"a{delimiter}b", f"{delimiter}", "tab\there, and; a|pipe"]]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = write(tmp_path, name, out.getvalue().encode())
    reader = csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=delimiter)
    header, *body = list(reader)
    expected = [dict(zip(header, row, strict=True)) for row in body]
    fmt = None if name.endswith((".tsv", ".tab", ".csv")) else "csv"
    file = list_inputs([path], fmt, given)[0]
    assert (file.format, file.delimiter) == ("csv", delimiter)
    got, bad = read_splits(plan_splits([file], file.size))
    assert [record for _, record in got] == expected and not bad
    assert_all_layouts(path, got, input_format=fmt, sizes=(1, 7), delimiter=given)


def test_a_delimiter_is_one_ascii_character_or_a_name():
    assert [csvfile.delimiter_named(t) for t in ("tab", "\\t", "TAB", "semicolon", ";", "|")] == [
        "\t", "\t", "\t", ";", ";", "|",
    ]  # fmt: skip
    for bad in ("", ";;", '"', "\n", "é"):
        with pytest.raises(ValueError, match="is not one ASCII character"):
            csvfile.delimiter_named(bad)


def test_other_formats_keep_the_comma_whatever_the_flag(tmp_path):
    path = write(tmp_path, "a.jsonl", b'{"a": 1}\n')
    assert list_inputs([path], None, ";")[0].delimiter == ","


@pytest.mark.parametrize("header", ["id,name,name", "id,,", "\n\nid,name,name"])
def test_a_header_naming_a_column_twice_is_an_error_not_a_lost_column(tmp_path, header):
    """{'name': 'b'} was read from "1,a,b": the first name's values were dropped silently."""
    from mapreduce.errors import InputError

    path = write(tmp_path, "dup.csv", f"{header}\n1,a,b\n".encode())
    line = header.count("\n") + 1
    name = "name" if "name" in header else ""
    message = f"dup.csv line {line}: the header names column {name!r} twice \\(fields 2 and 3\\)"
    with pytest.raises(InputError, match=message):
        read_splits(plan_splits(list_inputs([path]), 10**6))
