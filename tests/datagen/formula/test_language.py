"""The formula language: Ruby's operators and precedence, conditions, strings, names."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from datagen.formula import FormulaError
from tests.datagen.formula.support import run

NAMES = {"first_name": ["John", "Ann", None], "last_name": ["Smith", "Lee", "Ode"]}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3),  # whole numbers divide rounding down, as in Ruby
        ("-7 / 2", -4),
        ("7.0 / 2", 3.5),
        ("-7 % 3", 2),  # the sign of the divisor
        ("2 ** 10", 1024),
        ("-2 ** 2", -4),
        ("2 ** -1", 0.5),
        ("1 / 0", None),  # Ruby raises; a blank here
        ("10 - 2 - 3", 5),
        ("1 < 2 and 2 < 3", True),
        ("not 1 > 2", True),
        ("!true", False),
        ("1 == 1.0", True),
        ("'a' == 1", False),
        ("nil == nil", True),
        ("'b' > 'a'", True),
        ("true && false || true", True),
        ("nil or 5", 5),
        ("3 and 4", 4),
        ("false ? 1 : 2", 2),
        ("'ab' * 3", "ababab"),
        ("'a' + 1", "a1"),
        ("1_000 + 0.5e1", 1005.0),
        ("x = 2; y = x * 3\ny + 1", 7),
    ],
)
def test_operators_follow_ruby(formula: str, expected: object) -> None:
    got = run(formula, rows=1)
    assert got == [expected]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("if amount > 100 then 'high' elsif amount > 10 then 'mid' else 'low' end",
         ["low", "high", "mid", "low"]),
        ("if amount > 100\n  'high'\nelse\n  'low'\nend", ["low", "high", "low", "low"]),
        ("if amount > 100 then 'high' end", [None, "high", None, None]),
        ("unless amount > 100 then 'small' else 'big' end", ["small", "big", "small", "small"]),
        ("amount > 10 ? amount : 0", [0, 150, 50, 0]),
        ("case amount when 5, 50 then 'five-ish' when 150 then 'lots' else 'other' end",
         ["five-ish", "lots", "five-ish", "other"]),
        ("if amount then 1 else 0 end", [1, 1, 1, 0]),  # nil is false, every number true
        ("if amount > 100 then 'high' else amount end", ["5", "high", "50", None]),
    ],
)  # fmt: skip
def test_conditions_row_by_row(formula: str, expected: list[object]) -> None:
    assert run(formula, rows=4, amount=[5, 150, 50, None]) == expected


def test_strings_interpolation_and_concatenation() -> None:
    assert run('"#{first_name.downcase}.#{last_name.downcase}@example.com"', **NAMES) == [
        "john.smith@example.com",
        "ann.lee@example.com",
        ".ode@example.com",  # nil interpolates as "", as in Ruby
    ]
    assert run('first_name + " " + last_name', **NAMES) == ["John Smith", "Ann Lee", " Ode"]
    assert run("'single #{not} interpolated'", rows=1) == ["single #{not} interpolated"]
    assert run(r'"tab\there \"quoted\" \#{x}"', rows=1) == ['tab\there "quoted" #{x}']


def test_this_and_field_and_dotted_names() -> None:
    got = run('this * 2 + field("Unit Price")', this=[1, 2, 3], **{"Unit Price": [10, 20, 30]})
    assert got == [12, 24, 36]
    assert run("address.city + '!'", **{"address.city": ["a", "b", "c"]}) == ["a!", "b!", "c!"]
    assert run("blank", rows=2) == [None, None]


def test_dictionary_columns_work_like_plain_ones() -> None:
    names = pa.array(["Ann", "Bo", "Ann"]).dictionary_encode()
    assert run("upper(n) + '-' + n", n=names) == ["ANN-Ann", "BO-Bo", "ANN-Ann"]


def test_dates_compare_and_subtract() -> None:
    days = pa.array([dt.date(2020, 1, 1), dt.date(2021, 6, 1), None])
    assert run("d > date('2020-12-31')", d=days) == [False, True, False]
    assert run("d - date('1/1/2020')", d=days) == [0, 517, None]


@pytest.mark.parametrize(
    ("formula", "message", "position"),
    [
        ("amont + 1", "unknown field 'amont' (closest: 'amount')", 1),
        ("amount + lowr(amount)", "unknown function 'lowr' (closest: 'lower'", 10),
        ("amount.frobnicate", "unknown method 'frobnicate'", 8),
        ("if amount > 1 then 2", "expected 'end' closing the 'if' at position 1", 21),
        ("amount +", "expected a value, found the end of the formula", 9),
        ("'open", "unterminated string", 1),
        ("concat()", "concat takes 1 or more arguments, got 0", 1),
        ("round(1, 2, 3)", "round takes 1 to 2 arguments, got 3", 1),
        ("lower(amount, key: 1)", "lower takes no key: value arguments", 1),
        ("amount ^ 2", "unexpected character '^'", 8),
        ("__import__('os')", "unknown function '__import__'", 1),
        ("amount.__class__", "unknown method '__class__'", 8),
        ("field(amount)", "field() takes one field name in quotes", 1),
        ("date('31/31/2020')", "date('31/31/2020') is not a date", 1),
        ("date_diff('fortnights', amount, amount)", "date_diff's unit must be one of", 1),
        ("digest(amount, 'SHA3')", "digest algorithm 'sha3' is not one of", 1),
        ("now()", "would make the output depend on the clock", 1),
        ("amount + 'a' < 2", "cannot compare text with a whole number", 14),
        ("date('1/1/2020') + 'x'", "cannot use '+' between a date and text", 18),
        ("[1, 2]", "a list cannot be a field's value", 1),
        ("days(3)", "a length of time like days(3) is not a value", 1),
    ],
)
def test_mistakes_name_what_and_where(formula: str, message: str, position: int) -> None:
    with pytest.raises(FormulaError) as caught:
        run(formula, amount=[1, 2, 3])
    assert message in caught.value.message
    assert caught.value.pos + 1 == position


def test_never_evaluates_python() -> None:
    """The formula text is parsed, never handed to eval: Python syntax is just an error."""
    for hostile in ("__import__('os').system('echo hi')", "exec('x')", "(lambda: 1)()",
                    "open('/etc/passwd').read()", "globals()"):  # fmt: skip
        with pytest.raises(FormulaError):
            run(hostile, rows=1)


@pytest.mark.parametrize(
    ("formula", "position"),
    [
        ("2 ** 100", 3),
        ("9223372036854775807 + amount", 21),
        ("amount * 4611686018427387904", 8),
        ("-9223372036854775807 - 1 - amount", 26),
        ("(-9223372036854775807 - 1) / (amount - 2)", 28),
        ("10 ** 1000000000", 4),
        ("99999999999999999999", 1),
        ("-(-9223372036854775807 - 1)", 1),
        ("abs(-9223372036854775807 - 1)", 1),
    ],
)
def test_whole_numbers_beyond_64_bits_are_refused_not_wrapped(formula: str, position: int) -> None:
    """numpy wraps int64 without a word: 2 ** 100 came out as 0, 2**63 - 1 + 1 as -2**63."""
    with pytest.raises(FormulaError) as caught:
        run(formula, amount=[1, 2, 3])
    assert "beyond the 64-bit whole numbers" in caught.value.message or (
        "overflow" in caught.value.message
    )
    assert caught.value.pos + 1 == position


def test_whole_numbers_up_to_64_bits_stay_exact() -> None:
    assert run("2 ** 62 - 1 + 2 ** 62", rows=1) == [2**63 - 1]
    assert run("-4611686018427387904 * amount", amount=[2]) == [-(2**63)]
    assert run("amount * 3037000499", amount=[3037000499]) == [3037000499**2]
    assert run("2.0 ** 100", rows=1) == [2.0**100]


def test_double_quoted_strings_take_rubys_code_escapes() -> None:
    """ "caf\\u00e9" came out as "cafu00e9": only one-letter escapes were read."""
    assert run(r'"caf\u00e9 \u{1F600}\u{61 62} \x41\x4a!"', rows=1) == ["café 😀ab AJ!"]
    assert run(r"'caf\u00e9'", rows=1) == [r"caf\u00e9"]  # single quotes: as written


@pytest.mark.parametrize("formula", [r'"\u00g1"', r'"\u{110000}"', r'"\ud800"', r'"\xZZ"'])
def test_a_bad_code_escape_is_a_syntax_error(formula: str) -> None:
    with pytest.raises(FormulaError) as caught:
        run(formula, rows=1)
    assert "escape" in caught.value.message and caught.value.pos + 1 == 2
