"""The command line: runs, lists types, and reports errors as one sentence with exit code 2."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datagen import errors as datagen_errors
from datagen.cli import main
from datagen.types import all_types, registry


def test_python_dash_m_datagen_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "users.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "datagen",
            "--preset",
            "users",
            "--rows",
            "20",
            "--seed",
            "3",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 20 rows" in done.stderr
    assert len(out.read_text().splitlines()) == 20


def test_types_lists_every_type_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["types"]) == 0
    text = capsys.readouterr().out
    assert all(f"  {t.name} " in text for t in all_types())
    assert "selectionStyle=random|sequential|weighted" in text
    assert text.count("timeZone=UTC") == 2  # Date and Datetime
    assert "every field also takes percentBlank (0-100) and formula" in text


def test_quiet_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--preset", "orders", "--rows", "5", "-o", str(tmp_path / "o.json"), "--quiet"]) == 0
    )
    assert capsys.readouterr().err == ""
    assert len(json.loads((tmp_path / "o.json").read_text())) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--schema", "missing.json", "--rows", "5"],
            "error: schema file 'missing.json' does not exist",
        ),
        (["--preset", "users", "--rows", "5", "--versions", "0"], "error: --versions 0"),
        (["--preset", "users", "--size", "lots"], "error: --size must be"),
        (["--preset", "users", "--rows", "-1"], "error: --rows must be"),
        (
            ["--preset", "users", "--rows", "5", "--locale", "xx_XX"],
            "error: unknown --locale 'xx_XX'",
        ),
    ],
)
def test_errors_exit_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main([*args, "-o", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_bad_schema_option_names_field_and_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(
        '[{"name": "id", "type": "Row Number"}, '
        '{"name": "amount", "type": "Number", "min": 5, "max": 1}]'
    )
    assert main(["--schema", str(schema), "--rows", "5", "-o", str(tmp_path / "x.csv")]) == 2
    assert capsys.readouterr().err == (
        "error: fields[1] 'amount': option 'min' (5) must not be greater than "
        "'max' (1); swap them\n"
    )


def test_debug_adds_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--preset", "users", "--rows", "5", "-o", str(tmp_path / "x.dat"), "--debug"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--preset", "users", "--rows", "5", "-o", str(tmp_path / "no" / "x.csv")]) == 2
    assert "error: cannot write output" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_workers_and_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "numbers.jsonl"
    args = ["--preset", "numbers", "--rows", "100000000", "--workers", "2", "-o", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "datagen", *args, "--quiet"],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 20
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(proc.pid, sig)  # like Ctrl-C in a terminal: the whole process group
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    # 130 when the main process sees the signal first; 2 if a worker's death is seen first
    assert (proc.returncode, "interrupted" in err or "worker" in err) in ((130, True), (2, True))
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_refused_without_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #12: `-o users.jsonl` silently replaced an existing file."""
    out = tmp_path / "users.jsonl"
    out.write_text("precious\n")
    assert main(["--preset", "users", "--rows", "5", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: output {str(out)!r} already exists; pass --overwrite "
        "(overwrite=True in Python) to replace it\n"
    )
    assert out.read_text() == "precious\n" and len(list(tmp_path.iterdir())) == 1
    assert main(["--preset", "users", "--rows", "5", "-o", str(out), "--overwrite"]) == 0
    assert len(out.read_text().splitlines()) == 5


def test_existing_truth_file_is_refused_without_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = tmp_path / "truth.jsonl"
    truth.write_text("precious\n")
    args = ["--preset", "users", "--rows", "5", "-o", str(tmp_path / "u.jsonl"), "--truth"]
    assert main([*args, str(truth)]) == 2
    assert "error: truth file" in capsys.readouterr().err
    assert truth.read_text() == "precious\n" and not (tmp_path / "u.jsonl").exists()


def test_a_file_appearing_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    """The check before the run is repeated when publishing: a hard link cannot replace."""
    from datagen.publish import Target

    out = tmp_path / "late.jsonl"
    target = Target(out, overwrite=False)
    target.open().write(b"new\n")
    out.write_text("appeared meanwhile\n")
    with pytest.raises(datagen_errors.OutputError, match="already exists"):
        target.commit()
    target.abort()
    assert out.read_text() == "appeared meanwhile\n" and list(tmp_path.iterdir()) == [out]


def test_unknown_schema_option_suggests_the_closest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue #12: `"mn": 1` was silently ignored."""
    schema = tmp_path / "s.json"
    schema.write_text('[{"name": "amount", "type": "Number", "mn": 1, "max": 5}]')
    assert main(["--schema", str(schema), "--rows", "5", "-o", str(tmp_path / "x.csv")]) == 2
    assert capsys.readouterr().err == (
        "error: fields[0] 'amount': unknown option 'mn' for type 'Number'; did you mean 'min'? "
        "(its options: decimals, max, min)\n"
    )
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "field",
    [
        # spellings a type reads besides its declared ones, and Mockaroo's null placeholders
        {"name": "s", "type": "Sequence", "restartAt": 5},
        {
            "name": "c",
            "type": "Custom List",
            "values": ["a", "b"],
            "selectionStyle": "custom",
            "distribution": [{"frequency": 1}, {"frequency": 3}],
        },
        {"name": "c", "type": "Custom List", "values": ["a"], "distribution": None},
    ],
)
def test_known_spellings_and_null_options_are_accepted(tmp_path: Path, field: dict) -> None:
    assert main(["--schema", _schema(tmp_path, [field]), "--rows", "3", "-o",
                 str(tmp_path / "x.jsonl"), "--quiet"]) == 0  # fmt: skip


def _schema(tmp_path: Path, fields: list[dict]) -> str:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(fields))
    return str(path)


def test_help_lists_the_types_command_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "python -m datagen types" in out and "types      list every field type" in out
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert re.fullmatch(r"datagen \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_types_says_why_each_refused_type_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["types"])
    text = capsys.readouterr().out
    refused = getattr(registry, "refused_types", dict)()
    assert all(f"  {name:<26} {reason}" in text for name, reason in refused.items())


def test_the_command_sets_single_threaded_blas_before_numpy_loads() -> None:
    # numpy's OpenBLAS threads only spin here: datagen never calls BLAS (docs/datagen.md)
    code = (
        "import os, sys, datagen\n"
        "light = 'numpy' not in sys.modules\n"
        "import datagen.cli\n"
        "print(light, os.environ['OPENBLAS_NUM_THREADS'], datagen.generate.__name__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == ["True", "1", "generate"]


def test_format_takes_the_extensions_spelling(tmp_path: Path) -> None:
    """`--format jsonl` was refused ('invalid choice') though .jsonl is the extension."""
    out = tmp_path / "users.data"
    args = ["--preset", "users", "--rows", "3", "--quiet", "-o", str(out), "--format", "jsonl"]
    assert main(args) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [1, 2, 3]


def test_dash_writes_to_standard_output(tmp_path: Path) -> None:
    """`-o -` wrote a file named '-' (with --format) or failed 'cannot tell the format'."""
    base = [sys.executable, "-m", "datagen", "--preset", "users", "--rows", "500", "--seed", "3"]
    files = {}
    for fmt, flags in (("jsonl", []), ("csv", ["--format", "csv"])):
        path = tmp_path / f"users.{fmt}"
        subprocess.run([*base, "-o", str(path), "--quiet"], check=True)
        files[fmt] = path.read_bytes()
        done = subprocess.run(
            [*base, "-o", "-", "--workers", "2", *flags],
            cwd=tmp_path, capture_output=True, check=True,
        )  # fmt: skip
        assert done.stdout == files[fmt], fmt  # NDJSON unless --format says; any --workers
        assert b"wrote 500 rows" in done.stderr and b"to standard output" in done.stderr
    assert not (tmp_path / "-").exists()
    # a reader that stops early ends the writer as `head` ends any Unix tool: no traceback
    big = [*base[:-4], "--rows", "200000", "-o", "-"]
    with subprocess.Popen(big, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stdout.readline().startswith(b'{"id":1,')
        proc.stdout.close()
        assert proc.wait(timeout=60) == 128 + signal.SIGPIPE
        assert proc.stderr is not None and proc.stderr.read() == b""
