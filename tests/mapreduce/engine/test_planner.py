"""splits: listing inputs, planning splits (with the counting pass run through map_fn), the
public surface. Per-format reading is tested in tests/mapreduce/formats."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pytest

import mapreduce.engine.planner as splits
import mapreduce.formats.listing as inputs
from mapreduce.engine.planner import pack_splits, plan_ranges, plan_splits
from mapreduce.errors import InputError, UsageError
from mapreduce.formats.files import InputFile, Split
from mapreduce.formats.lines import describe_position
from mapreduce.formats.listing import list_inputs
from mapreduce.formats.registry import INPUT_FORMATS, OUTPUT_FORMATS, count_split
from tests.mapreduce.formats.layouts import read_splits


def make(folder: Any, name: str, data: bytes = b'{"a": 1}\n') -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def test_public_surface():
    assert splits.__all__ == [
        "DEFAULT_SPLIT_SIZE",
        "PLAN",
        "choose_split_size",
        "pack_splits",
        "plan_ranges",
        "plan_splits",
    ]
    assert INPUT_FORMATS == ("ndjson", "json", "csv", "parquet", "text")
    assert OUTPUT_FORMATS == ("ndjson", "csv", "parquet")


@pytest.mark.parametrize(
    ("name", "data", "fmt", "compressed"),
    [
        ("a.jsonl", b"{}\n", "ndjson", False),
        ("a.NDJSON", b"{}\n", "ndjson", False),
        ("a.json", b' \n[{"a": 1}]', "json", False),
        ("a.json", b'\xef\xbb\xbf[{"a": 1}]', "json", False),
        ("a.json", b'{"a": 1}\n', "ndjson", False),
        ("a.csv", b"a\n1\n", "csv", False),
        ("a.parquet", b"PAR1", "parquet", False),
        ("a.pq", b"PAR1", "parquet", False),
        ("a.txt", b"x", "text", False),
        ("a.text", b"x", "text", False),
        ("a.log", b"x", "text", False),
        ("a.md", b"x", "text", False),
        ("a.csv.gz", gzip.compress(b"a\n1\n"), "csv", True),
        ("a.json.gz", gzip.compress(b"\n\n  [1]"), "json", True),
        ("a.jsonl.bz2", bz2.compress(b"{}\n"), "ndjson", True),
        ("a.json.xz", lzma.compress(b"[1]"), "json", True),
        ("a.TXT.ZST", pa.Codec("zstd").compress(b"x\n", asbytes=True), "text", True),
    ],
)
def test_format_follows_the_extension(tmp_path, name, data, fmt, compressed):
    [file] = list_inputs([make(tmp_path, name, data)])
    assert (file.format, file.compressed, file.size) == (fmt, compressed, len(data))
    assert file.index == 0 and file.mtime_ns == os.stat(file.path).st_mtime_ns


def test_input_format_overrides_the_extension(tmp_path):
    [file] = list_inputs([make(tmp_path, "data.unknown", b"[1]")], input_format="json")
    assert file.format == "json"
    with pytest.raises(UsageError, match="unknown input format 'xml'"):
        list_inputs([file.path], input_format="xml")


def test_files_globs_and_directories_keep_command_line_order(tmp_path):
    for name in ["d/b.jsonl", "d/a.jsonl", "d/sub/c.jsonl", "d/.hidden.jsonl", "d/_SUCCESS"]:
        make(tmp_path, name)
    make(tmp_path, "d/_tmp/x.jsonl")
    make(tmp_path, "d/.work/y.jsonl")
    make(tmp_path, "g/2.jsonl")
    make(tmp_path, "g/10.jsonl")
    single = make(tmp_path, "z.jsonl")
    files = list_inputs([single, str(tmp_path / "g" / "*.jsonl"), str(tmp_path / "d")])
    names = [os.path.relpath(f.path, tmp_path) for f in files]
    assert names == [
        "z.jsonl",
        "g/10.jsonl",
        "g/2.jsonl",
        "d/a.jsonl",
        "d/b.jsonl",
        "d/sub/c.jsonl",
    ]
    assert [f.index for f in files] == list(range(6))


def test_a_file_reached_twice_is_listed_once(tmp_path):
    path = make(tmp_path, "a.jsonl")
    files = list_inputs([path, str(tmp_path / "*.jsonl"), str(tmp_path)])
    assert [f.path for f in files] == [path]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("missing.jsonl", "input .*missing.jsonl does not exist"),
        ("*.nothing", "no file matches .*\\*.nothing"),
        ("empty_dir", "directory .*empty_dir contains no input files"),
        ("a.xyz", "cannot tell the format of .*a.xyz .*pass --input-format"),
        ("noext", "from its extension \\(no extension\\); pass --input-format"),
        ("zero.jsonl", "all 1 input file\\(s\\) are empty"),
        (
            "bad.jsonl.gz",
            "input bad.jsonl.gz: the gzip stream is corrupt or truncated: .* byte 0 failed",
        ),
        (
            "bad.csv.bz2",
            "input bad.csv.bz2: the bz2 stream is corrupt or truncated: .* byte 0 failed",
        ),
        (
            "bad.txt.zst",
            "input bad.txt.zst: the zstd stream is corrupt or truncated: .* byte 0 failed",
        ),
        ("t.parquet.gz", "compressed Parquet is not supported"),
        ("t.parquet.zst", "compressed Parquet is not supported"),
    ],
)
def test_input_errors_name_the_input_and_the_remedy(tmp_path, monkeypatch, given, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "empty_dir" / "_ignored.csv").write_bytes(b"a\n")
    make(tmp_path, "a.xyz")
    make(tmp_path, "noext")
    make(tmp_path, "zero.jsonl", b"")
    make(tmp_path, "bad.jsonl.gz", b"not gzip")
    make(tmp_path, "t.parquet.gz", gzip.compress(b"PAR1"))
    make(tmp_path, "bad.csv.bz2", b"not bz2")
    make(tmp_path, "bad.txt.zst", b"not zstd")
    make(tmp_path, "t.parquet.zst", pa.Codec("zstd").compress(b"PAR1", asbytes=True))
    with pytest.raises(InputError, match=message) as caught:
        list_inputs([given])
    assert str(caught.value).count(". ") == 0  # one sentence


def test_an_unreadable_file_is_an_input_error(tmp_path, monkeypatch):
    path = make(tmp_path, "locked.jsonl")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(inputs, "open", refuse, raising=False)
    with pytest.raises(InputError, match=r"cannot read input .*locked\.jsonl: Permission denied"):
        list_inputs([path])


def test_a_broken_link_is_not_a_regular_file(tmp_path):
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "gone.jsonl")
    with pytest.raises(InputError, match="is not a regular file"):
        list_inputs([str(tmp_path / "link.jsonl")])


def test_empty_files_give_no_split_and_splits_are_ordered(tmp_path):
    paths = [make(tmp_path, "a.jsonl", b"1\n" * 5), make(tmp_path, "b.jsonl", b"")]
    paths.append(make(tmp_path, "c.jsonl.gz", gzip.compress(b"2\n" * 50)))
    files = list_inputs(paths)
    plan = plan_splits(files, 4)
    assert [(s.index, s.file.path, s.start, s.end) for s in plan] == [
        (0, paths[0], 0, 4),
        (1, paths[0], 4, 8),
        (2, paths[0], 8, 10),
        (3, paths[2], 0, files[2].size),
    ]
    with pytest.raises(ValueError, match="split_size must be at least 1"):
        plan_splits(files, 0)


def test_small_files_are_packed_in_input_order_up_to_the_split_size(tmp_path):
    sizes = {"a": 3, "b": 4, "c": 2, "d": 12, "e": 5, "f": 5, "g": 1}
    paths = [
        make(tmp_path, f"{k}.txt", b"x\n" * (n // 2) + b"y" * (n % 2)) for k, n in sizes.items()
    ]
    paths.insert(5, make(tmp_path, "empty.txt", b""))  # no split: e and f still pack
    paths.append(make(tmp_path, "h.jsonl.gz", gzip.compress(b"1\n" * 4000)))
    files = list_inputs(paths)
    plan = plan_splits(files, 10)
    packed = pack_splits(plan, 10)
    names = [[os.path.basename(s.file.path) for s in task] for task in packed]
    # d (12 bytes) is cut in two splits: never packed, and it ends the pack before it;
    # exactly the split size fits (e + f); the .gz file is one split, but larger (on
    # disk) than what is left of the pack
    assert files[-1].size > 9
    assert names == [
        ["a.txt", "b.txt", "c.txt"],
        ["d.txt"],
        ["d.txt"],
        ["e.txt", "f.txt"],
        ["g.txt"],
        ["h.jsonl.gz"],
    ]
    assert [s for task in packed for s in task] == plan  # every split once, in order
    assert pack_splits(plan, 10**6) == [tuple(plan[:3]), (plan[3],), (plan[4],), tuple(plan[5:])]
    assert pack_splits([], 10) == []


def test_the_counting_pass_runs_through_map_fn_for_csv_and_json_only(tmp_path):
    csv_data = b'h\n"x\ny"\n' * 4
    paths = [
        make(tmp_path, "a.csv", csv_data),
        make(tmp_path, "b.json", b'["a", "b"]'),
        make(tmp_path, "c.jsonl", b"1\n2\n3\n"),
        make(tmp_path, "d.csv", b"h\n1\n"),
    ]
    calls: list[tuple[Any, list[Split]]] = []

    def recording_map(fn: Any, items: Any) -> Any:
        items = list(items)
        calls.append((fn, items))
        return map(fn, items)

    plan = plan_splits(list_inputs(paths), 5, map_fn=recording_map)
    [(fn, counted)] = calls
    assert fn is count_split
    # every range but the last of each multi-split CSV or JSON file
    assert [(s.file.path, s.start) for s in counted] == [
        *[(paths[0], start) for start in range(0, 30, 5)],
        (paths[1], 0),
    ]
    starts = [s.start for s in plan if s.file.path == paths[0]]
    assert [s.state for s in plan if s.file.path == paths[0]] == [
        csv_data[:start].count(b'"') % 2 for start in starts
    ]


@pytest.mark.parametrize("executor", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_an_executor_map_gives_the_same_plan(tmp_path, executor):
    data = b'[{"s": "]\\"["}, [1, [2]], "x"]'
    files = list_inputs(
        [make(tmp_path, "a.json", data), make(tmp_path, "b.csv", b'h\n"1\n2"\n3\n')]
    )
    with executor(max_workers=2) as pool:
        parallel = plan_splits(files, 3, map_fn=pool.map)
    assert parallel == plan_splits(files, 3)
    assert pickle.loads(pickle.dumps(parallel)) == parallel
    assert read_splits(parallel)[0] == read_splits(plan_splits(files, 10**6))[0]


def test_plan_ranges_cuts_one_file_where_asked(tmp_path):
    [file] = list_inputs([make(tmp_path, "a.csv", b'h\n"1\n2"\n3\n')])
    plan = plan_ranges(file, [4, 9])
    assert [(s.start, s.end, s.state) for s in plan] == [(0, 4, 0), (4, 9, 1), (9, 10, 0)]
    assert [r for _, r in read_splits(plan)[0]] == [{"h": "1\n2"}, {"h": "3"}]


def test_describe_position_counts_lines_in_plain_and_gzip_files(tmp_path):
    data = b"a\nb\n\nc\n"
    for name, content in [("t.txt", data), ("t.txt.gz", gzip.compress(data))]:
        [file] = list_inputs([make(tmp_path, name, content)])
        assert [describe_position(file, p) for p in (0, 1, 2, 4, 5, 6)] == [
            "line 1", "line 1", "line 2", "line 3", "line 4", "line 4",
        ]  # fmt: skip


def test_descriptors_are_small_frozen_and_picklable(tmp_path):
    [file] = list_inputs([make(tmp_path, "a.json", b"[1, 2]")])
    split = plan_splits([file], 10)[0]
    assert isinstance(file, InputFile) and isinstance(split, Split)
    assert pickle.loads(pickle.dumps(split)) == split
    assert len(pickle.dumps(split)) < 400
    with pytest.raises(AttributeError):
        split.start = 3  # type: ignore[misc]
