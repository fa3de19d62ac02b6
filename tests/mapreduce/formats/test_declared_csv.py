"""CSV blocks the row reader reads differently take the row path: blank lines, CR, quotes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapreduce.formats import declared_csv
from tests.mapreduce.test_fastpath_contract import CONFIGS, assert_same, row_job, run_both

GOOD = "".join(f"{i % 7},2024-01-0{1 + i % 5}T00:00:00Z,{i}\n" for i in range(40))


@pytest.mark.parametrize(
    "middle",
    [
        "\n",
        "\n\n",
        "1,2024-02-01T00:00:00Z,x\r\n",
        '5,2024-03-01T00:00:00Z,"a,b"\n',
        ",2024-02-01T00:00:00Z,x\n",  # an empty first field: a blank line is looked for
        ",2024-02-01T00:00:00Z,x\n\n",
    ],
    ids=["blank", "two-blank", "crlf", "quoted", "empty-field", "empty-field-and-blank"],
)
def test_blocks_with_what_arrow_reads_otherwise_match_the_row_path(tmp_path, middle):
    path = tmp_path / "in.csv"
    path.write_text("id,updated_at,n\n" + GOOD + middle + GOOD, newline="")
    row = row_job(tmp_path, "latest_by_key", "LatestByKey")
    assert_same(run_both(tmp_path, "latest_by_key", row, [path], CONFIGS[0]))


def test_blank_lines_are_skipped_by_a_job_that_takes_any_text(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id,city\n" + "".join(f"{i},c{i % 3}\n" for i in range(30)) + "\n" * 3 + "9,c1\n"
    )
    row = row_job(tmp_path, "top_n", "TopN")
    results = run_both(tmp_path, "top_n", row, [path], CONFIGS[0], params={"field": "city"})
    assert_same(results)
    assert b'""' not in b"".join(results[0][0].values())  # no empty value was counted


@given(st.binary(max_size=40).map(lambda b: b.replace(b"\x00", b"\n")))
def test_a_blank_line_is_two_touching_line_breaks_at_any_offset(data):
    assert declared_csv._has_blank_line(data) == (b"\n\n" in data)


FIELD = st.text(st.characters(blacklist_characters=',;\t"\r\n', blacklist_categories=["Cs"]))


@given(
    width=st.integers(1, 5),
    rows=st.lists(st.lists(FIELD, min_size=0, max_size=6), min_size=1, max_size=12),
    declared=st.lists(st.integers(0, 4), min_size=0, max_size=3, unique=True),
    delimiter=st.sampled_from([",", "\t", ";"]),
)
def test_the_numpy_split_reads_what_pyarrow_reads(width, rows, declared, delimiter):
    # the split takes a block only when every line is as wide as the header; then its
    # columns are pyarrow's, byte for byte; any other block goes to pyarrow's reader
    names = [f"c{i}" for i in range(width)]
    reader = declared_csv.CsvBatches.__new__(declared_csv.CsvBatches)
    reader.names, reader.delimiter = names, delimiter
    reader.fields = [names[i] for i in declared if i < width]
    data = "".join(delimiter.join(row) + "\n" for row in rows).encode()
    split = reader._split(data)
    parsed = reader._parse(data)
    regular = all(len(row) == width for row in rows)
    assert (split is not None) == (regular and width > 1)
    if split is None:
        return
    assert parsed is not None
    assert split[0] == parsed[0] == len(rows)
    for name in reader.fields:
        assert split[1][name].type == parsed[1][name].type
        assert split[1][name].equals(parsed[1][name]), name


def test_the_numpy_split_refuses_a_ragged_block():
    reader = declared_csv.CsvBatches.__new__(declared_csv.CsvBatches)
    reader.names, reader.fields, reader.delimiter = ["a", "b", "c"], ["b"], ","
    assert reader._split(b"1,2,3\n4,5\n6,7,8,9\n") is None  # 9 delimiters, 3 per line on average
    assert reader._split(b"1,2,3\n4,5,6") is None  # no line break at the end
    assert reader._split(b"1,2,3\n\n4,5\n") is None
    assert reader._split(b"1,,3\n,5,\n")[1]["b"].to_pylist() == ["", "5"]


@given(
    width=st.integers(1, 4),
    cells=st.lists(st.text(alphabet="aé0,", min_size=0, max_size=4), min_size=1, max_size=30),
)
def test_fields_of_one_width_are_gathered_as_the_others(width, cells):
    # fields of one width take the sliding-window gather, others the byte index
    texts = [cell.replace(",", "") for cell in cells]
    fixed = [(text + "x" * width)[:width] for text in texts]
    reader = declared_csv.CsvBatches.__new__(declared_csv.CsvBatches)
    reader.names, reader.fields, reader.delimiter = ["a", "b"], ["a", "b"], ","
    data = "".join(f"{f},{t}\n" for f, t in zip(fixed, texts, strict=True)).encode()
    rows, columns = reader._split(data)
    assert rows == len(texts)
    assert columns["a"].to_pylist() == fixed
    assert columns["b"].to_pylist() == texts
    assert columns["a"].equals(reader._parse(data)[1]["a"])
