"""Every formula function and method, on columns with blanks."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pyarrow as pa
import pytest

from datagen.formula import FUNCTIONS, METHODS
from tests.datagen.formula.support import run

WORDS = ["  Hello ", "wORLD", None]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("concat(w, '-', 1, nil)", ["  Hello -1", "wORLD-1", "-1"]),
        ("lower(w)", ["  hello ", "world", None]),
        ("upper(w)", ["  HELLO ", "WORLD", None]),
        ("trim(w)", ["Hello", "wORLD", None]),
        ("w.strip.downcase", ["hello", "world", None]),
        ("w.strip.capitalize", ["Hello", "World", None]),
        ("w.upcase.reverse", [" OLLEH  ", "DLROW", None]),
        ("title('ann lee')", ["Ann Lee"] * 3),
        ("w.swapcase", ["  hELLO ", "World", None]),
        ("w.length", [8, 5, None]),
        ("w.size", [8, 5, None]),
        ("w.nil?", [False, False, True]),
        ("w.blank?", [False, False, True]),
        ("w.present?", [True, True, False]),
        ("w.include?('ll')", [True, False, False]),
        ("w.start_with?('w')", [False, True, False]),
        ("w.end_with?('D')", [False, True, False]),
        ("w.gsub(/[lL]/, '_')", ["  He__o ", "wOR_D", None]),  # nil stays nil (Ruby raises)
        ("w.sub('l', '_')", ["  He_lo ", "wORLD", None]),
        ("w =~ /^w/", [False, True, False]),
        ("w !~ /^w/", [True, False, True]),
        ("w =~ /^W/i", [False, True, False]),
        ("w.strip.ljust(7, '.')", ["Hello..", "wORLD..", None]),
        ("w.strip.rjust(7, '0')", ["00Hello", "00wORLD", None]),
        ("'ab'.center(6, '*')", ["**ab**"] * 3),
        ("w.strip[0]", ["H", "w", None]),
        ("w.strip[1, 3]", ["ell", "ORL", None]),
        ("w.strip[-2, 2]", ["lo", "LD", None]),
        ("w.strip.first(2)", ["He", "wO", None]),
        ("w.strip.last(2)", ["lo", "LD", None]),
        ("to_s(nil)", ["", "", ""]),
    ],
)
def test_text(formula: str, expected: list[object]) -> None:
    assert run(formula, w=WORDS) == expected


def test_encodings_and_digests() -> None:
    words = ["hi", "héllo", None]
    encoded = [base64.b64encode(w.encode()).decode() for w in words[:2]]
    assert run("base64(w)", w=words) == [*encoded, None]
    assert run("hex(w)", w=words) == ["6869", "68c3a96c6c6f", None]
    for name in ("MD5", "SHA1", "SHA256", "SHA384", "SHA512"):
        got = run(f"digest(w, '{name}')", w=words)
        want = [hashlib.new(name.lower(), w.encode()).hexdigest() for w in words[:2]]
        assert got == [*want, None]
    got = run("digest(w, 'sha256', 'base64')", w=words)
    assert got[0] == base64.b64encode(hashlib.sha256(b"hi").digest()).decode()
    assert run("digest(w)", w=words)[0] == hashlib.sha256(b"hi").hexdigest()


NUMBERS = [2.345, -2.5, None]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("round(x)", [2, -3, None]),  # halves away from zero, as Ruby
        ("round(x, 2)", [2.35, -2.5, None]),
        ("x.round(1)", [2.3, -2.5, None]),
        ("abs(x)", [2.345, 2.5, None]),
        ("ceil(x)", [3, -2, None]),
        ("floor(x)", [2, -3, None]),
        ("x.to_i", [2, -2, None]),
        ("x.to_s", ["2.345", "-2.5", ""]),
        ("format(x, 2)", ["2.35", "-2.50", None]),
        ("format(x, 0)", ["2", "-3", None]),
        ("format(x, '%08.3f')", ["0002.345", "-002.500", None]),
        ("format(7, '%03d')", ["007"] * 3),
        ("to_i('42 apples')", [42] * 3),
        ("to_i('none')", [0] * 3),
        ("to_f('2.5e1x')", [25.0] * 3),
        ("'3'.to_i + 1", [4] * 3),
        ("3.to_f", [3.0] * 3),
        ("[x, 0.0].max", [2.345, 0.0, None]),
        ("[x, 0.0].min", [0.0, -2.5, None]),
        ("[1, 2, 3].first", [1] * 3),
        ("[1, 2, 3].last", [3] * 3),
        ("[1, 2, 3].include?(2)", [True] * 3),
        ("4.even?", [True] * 3),
        ("3.odd?", [True] * 3),
        ("0.zero?", [True] * 3),
    ],
)
def test_numbers(formula: str, expected: list[object]) -> None:
    assert run(formula, x=NUMBERS) == expected


DAYS = pa.array([dt.date(2020, 1, 31), dt.date(2024, 2, 29), None])
TIMES = pa.array([dt.datetime(2020, 1, 31, 23, 30), dt.datetime(2024, 2, 29, 1, 2, 3), None],
                 pa.timestamp("ms"))  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("date('7/4/2015')", [dt.date(2015, 7, 4)] * 3),
        ("date('2015-07-04')", [dt.date(2015, 7, 4)] * 3),
        ("date('04.07.2015', '%d.%m.%Y')", [dt.date(2015, 7, 4)] * 3),
        ("d + days(1)", [dt.date(2020, 2, 1), dt.date(2024, 3, 1), None]),
        ("d + 1", [dt.date(2020, 2, 1), dt.date(2024, 3, 1), None]),
        ("d - weeks(1)", [dt.date(2020, 1, 24), dt.date(2024, 2, 22), None]),
        ("d + months(1)", [dt.date(2020, 2, 29), dt.date(2024, 3, 29), None]),  # day clamped
        ("d + years(1)", [dt.date(2021, 1, 31), dt.date(2025, 2, 28), None]),
        ("d - years(4)", [dt.date(2016, 1, 31), dt.date(2020, 2, 29), None]),
        ("2 * days(1) + d", [dt.date(2020, 2, 2), dt.date(2024, 3, 2), None]),
        ("t + hours(1) + minutes(30)",
         [dt.datetime(2020, 2, 1, 1, 0), dt.datetime(2024, 2, 29, 2, 32, 3), None]),
        ("t + 60", [dt.datetime(2020, 1, 31, 23, 31), dt.datetime(2024, 2, 29, 1, 3, 3), None]),
        ("d + hours(12)", [dt.datetime(2020, 1, 31, 12), dt.datetime(2024, 2, 29, 12), None]),
        ("year(d)", [2020, 2024, None]),
        ("month(d)", [1, 2, None]),
        ("day(d)", [31, 29, None]),
        ("month(d, true)", ["01", "02", None]),
        ("day(t, true)", ["31", "29", None]),
        ("d.year", [2020, 2024, None]),
        ("hour(t)", [23, 1, None]),
        ("wday(d)", [5, 4, None]),  # Friday, Thursday (Sunday is 0)
        ("yday(d)", [31, 60, None]),
        ("epoch(t)", [1580513400, 1709168523, None]),
        ("epoch(d)", [1580428800, 1709164800, None]),
        ("date_diff('days', date('1/1/2020'), d)", [30, 1520, None]),
        ("date_diff('days', d, date('1/1/2020'))", [-30, -1520, None]),
        ("date_diff('hours', t, t + days(2))", [48, 48, None]),
        ("date_diff('minutes', t, t + 90)", [1, 1, None]),
        ("date_diff('months', date('1/31/2020'), d)", [0, 48, None]),
        ("date_diff('years', date('2/29/2020'), d)", [0, 4, None]),
        ("d - date('1/1/2020')", [30, 1520, None]),
        ("t - t", [0, 0, None]),
        ("format(d, '%d/%m/%Y')", ["31/01/2020", "29/02/2024", None]),
        ("t.strftime('%FT%T')", ["2020-01-31T23:30:00", "2024-02-29T01:02:03", None]),
        ("d.to_s", ["2020-01-31", "2024-02-29", ""]),
        ("t.to_s", ["2020-01-31T23:30:00Z", "2024-02-29T01:02:03Z", ""]),
        ("t.to_date", [dt.date(2020, 1, 31), dt.date(2024, 2, 29), None]),
        ("d > date('2021-01-01')", [False, True, False]),
    ],
)  # fmt: skip
def test_dates(formula: str, expected: list[object]) -> None:
    assert run(formula, d=DAYS, t=TIMES) == expected


def test_random_is_in_range_and_seeded() -> None:
    ints = run("random(1, 6)", rows=2000)
    assert set(ints) == set(range(1, 7))
    floats = run("random(0.5, 1.5)", rows=2000)
    assert all(0.5 <= f <= 1.5 for f in floats)
    days = run("random(date('1/1/2020'), date('1/10/2020'))", rows=2000)
    assert {d.day for d in days} == set(range(1, 11))
    assert all(0 <= f < 1 for f in run("random()", rows=100))
    assert run("random(1, 1000)", rows=50) == run("random(1, 1000)", rows=50)
    picks = run("['a', 'b', 'c'].sample", rows=900)
    assert {p: picks.count(p) for p in "abc"} == pytest.approx({"a": 300, "b": 300, "c": 300},
                                                               abs=60)  # fmt: skip


# a value and arguments each method can take
ARGS = {"round": "(1)", "ljust": "(9, '.')", "rjust": "(9, '.')", "center": "(9, '.')",
        "gsub": "('l', 'L')", "sub": "('l', 'L')", "include?": "('l')", "start_with?": "('h')",
        "end_with?": "('o')", "strftime": "('%F')", "first": "", "last": ""}  # fmt: skip
DATE_METHODS = {"year", "month", "day", "hour", "minute", "sec", "wday", "yday", "to_date",
                "to_i_epoch", "strftime"}  # fmt: skip
NUMBER_METHODS = {"round", "abs", "ceil", "floor", "zero?", "even?", "odd?", "to_i", "to_f"}
LIST_METHODS = {"sample", "min", "max"}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_method_is_its_function(method: str) -> None:
    """`x.m(args)` is `f(x, args)` for every method, on the kind of value it takes."""
    target = ("d" if method in DATE_METHODS else "n" if method in ("even?", "odd?")
              else "x" if method in NUMBER_METHODS
              else "[1, 3, 2]" if method in LIST_METHODS else "t")  # fmt: skip
    args = ARGS.get(method, "")
    inner = args[1:-1] if args else ""
    as_function = f"{METHODS[method]}({target}{', ' + inner if inner else ''})"
    columns = {"t": [" hello", None, "x"], "x": [2.5, -1.0, None], "n": [2, 3, None], "d": DAYS}
    got = run(f"{target}.{method}{args}", **columns)
    if method == "sample":
        assert set(got) <= {1, 2, 3}
        return
    assert got == run(as_function, **columns)


def test_every_function_and_method_is_documented() -> None:
    """docs/datagen.md lists each function and method."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "datagen.md").read_text()
    hidden = {"is_nil", "is_blank", "is_present", "is_zero", "is_even", "is_odd", "include",
              "start_with", "end_with", "first", "last", "sample", "min", "max"}  # fmt: skip
    assert sorted(f for f in set(FUNCTIONS) - hidden if f"`{f}(" not in doc) == []
    assert sorted(m for m in METHODS if f".{m}" not in doc) == []
