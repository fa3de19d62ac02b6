"""Ruby's methods on values, as formula functions: `x.downcase` is `lower(x)`.

METHODS maps each method name a formula may use to the function it calls, with the target
as the first argument. The predicates and list helpers registered here exist mainly as
methods (`name.include?("x")`, `[1, 2, 3].sample`), but may be called as functions too.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula.functions import CallSite, ListValue, function, text_of
from datagen.formula.syntax import Regex
from datagen.formula.values import (
    FormulaTypeError,
    Value,
    as_array,
    compare,
    equal,
    kind,
    noun,
    plain,
    truthy,
    unify,
)

__all__ = ["METHODS", "regex_pattern"]

METHODS = {
    "downcase": "lower", "upcase": "upper", "strip": "trim", "capitalize": "capitalize",
    "swapcase": "swapcase", "reverse": "reverse", "titleize": "title", "to_s": "to_s",
    "to_i": "to_i", "to_f": "to_f", "round": "round", "abs": "abs", "ceil": "ceil",
    "floor": "floor", "length": "length", "size": "length", "strftime": "format",
    "year": "year", "month": "month", "day": "day", "hour": "hour", "minute": "minute",
    "sec": "second", "wday": "wday", "yday": "yday", "to_date": "date", "to_i_epoch": "epoch",
    "ljust": "ljust", "rjust": "rjust", "center": "center", "gsub": "gsub", "sub": "sub",
    "include?": "include", "start_with?": "start_with", "end_with?": "end_with",
    "nil?": "is_nil", "blank?": "is_blank", "empty?": "is_blank", "present?": "is_present",
    "zero?": "is_zero", "even?": "is_even", "odd?": "is_odd", "first": "first", "last": "last",
    "sample": "sample", "min": "min", "max": "max", "lower": "lower", "upper": "upper",
    "trim": "trim", "base64": "base64", "hex": "hex",
}  # fmt: skip


def regex_pattern(value: Any) -> str:
    """An RE2 pattern of a /regex/ literal (flags folded in) or of literal text."""
    if isinstance(value, Regex):
        flags = "".join(f for f in value.flags if f in "im")
        return f"(?{flags}){value.pattern}" if flags else value.pattern
    if isinstance(value, pa.Scalar) and kind(value) == "str":
        return re.escape(value.as_py())
    raise FormulaTypeError("a pattern must be a /regex/ or a constant text")


def _pad(kernel: Any, name: str) -> None:
    def impl(site: CallSite, value: Value, width: Value, pad: Value | None = None) -> Value:
        if not isinstance(width, pa.Scalar) or kind(width) != "int":
            raise FormulaTypeError(f"{name} needs a constant whole-number width")
        filler = pad.as_py() if isinstance(pad, pa.Scalar) else " "
        if not isinstance(filler, str) or len(filler) != 1:
            raise FormulaTypeError(f"{name} pads with one character, got {filler!r}")
        return kernel(text_of(value), int(width.as_py()), filler)

    function(name, 2, 3, f"{name}(text, width, ' '): padded to width")(impl)


_pad(pc.utf8_rpad, "ljust")
_pad(pc.utf8_lpad, "rjust")
_pad(pc.utf8_center, "center")


def _replace(all_: bool) -> Any:
    def impl(site: CallSite, value: Value, pattern: Any, replacement: Value) -> Value:
        if not isinstance(replacement, pa.Scalar):
            raise FormulaTypeError("the replacement must be a constant text")
        text = text_of(value)
        repl = str(replacement.as_py()).replace("\\", "\\\\")
        return pc.replace_substring_regex(
            text, regex_pattern(pattern), repl, max_replacements=None if all_ else 1
        )

    return impl


function("gsub", 3, 3, "gsub(text, /a+/, 'b'): every match replaced")(_replace(True))
function("sub", 3, 3, "sub(text, 'a', 'b'): the first match replaced")(_replace(False))


@function("include", 2, 2, "x.include?(y): text contains y, or a list holds y")
def _include(site: CallSite, target: Any, item: Value) -> Value:
    if isinstance(target, ListValue):
        result: Value = pa.scalar(False)
        for option in target.items:
            result = pc.or_(result, equal(item, option))
        return result
    if not isinstance(item, pa.Scalar):
        raise FormulaTypeError("include? needs a constant text to look for")
    return pc.fill_null(pc.match_substring(text_of(target), str(item.as_py())), False)


def _affix(kernel: Any, name: str) -> None:
    def impl(site: CallSite, value: Value, affix: Value) -> Value:
        if not isinstance(affix, pa.Scalar):
            raise FormulaTypeError(f"{name} needs a constant text")
        return pc.fill_null(kernel(text_of(value), pattern=str(affix.as_py())), False)

    function(name, 2, 2, f"x.{name}?('ab')")(impl)


_affix(pc.starts_with, "start_with")
_affix(pc.ends_with, "end_with")


@function("is_nil", 1, 1, "x.nil?: x is blank (nil)")
def _is_nil(site: CallSite, value: Value) -> Value:
    return pc.invert(truthy(value)) if kind(value) == "nil" else pc.is_null(plain(value))


@function("is_blank", 1, 1, 'x.blank?: nil or "" (x.empty? too)')
def _is_blank(site: CallSite, value: Value) -> Value:
    if kind(value) == "str":
        return pc.fill_null(pc.equal(plain(value), ""), True)
    return _is_nil(site, value)


@function("is_present", 1, 1, "x.present?: not blank")
def _is_present(site: CallSite, value: Value) -> Value:
    return pc.invert(_is_blank(site, value))


def _parity(name: str, test: Any) -> None:
    allowed = ("int", "float", "nil") if name == "zero" else ("int", "nil")

    def impl(site: CallSite, value: Value) -> Value:
        if kind(value) not in allowed:
            what = "a number" if name == "zero" else "a whole number"
            raise FormulaTypeError(f"{name}? needs {what}, got {noun(value)}")
        return pc.fill_null(test(plain(value)), False)

    function(f"is_{name}", 1, 1, f"x.{name}?")(impl)


_parity("zero", lambda v: pc.equal(v, 0))
_parity("even", lambda v: pc.equal(pc.bit_wise_and(pc.cast(v, pa.int64()), 1), 0))
_parity("odd", lambda v: pc.equal(pc.bit_wise_and(pc.cast(v, pa.int64()), 1), 1))


def _items(target: Any, name: str) -> tuple[Value, ...]:
    if not isinstance(target, ListValue) or not target.items:
        raise FormulaTypeError(f"{name} needs a non-empty list like ['a', 'b']")
    return target.items


@function("first", 1, 2, "[a, b].first; text.first(3): its first characters")
def _first(site: CallSite, target: Any, count: Value | None = None) -> Value:
    if isinstance(target, ListValue):
        return _items(target, "first")[0]
    n = int(count.as_py()) if isinstance(count, pa.Scalar) else 1
    return pc.utf8_slice_codeunits(text_of(target), 0, n)


@function("last", 1, 2, "[a, b].last; text.last(3): its last characters")
def _last(site: CallSite, target: Any, count: Value | None = None) -> Value:
    if isinstance(target, ListValue):
        return _items(target, "last")[-1]
    n = int(count.as_py()) if isinstance(count, pa.Scalar) else 1
    return pc.utf8_slice_codeunits(text_of(target), -n, np.iinfo(np.int64).max)


@function("sample", 1, 1, "['a', 'b', 'c'].sample: one item per row, at random")
def _sample(site: CallSite, target: Any) -> Value:
    items = unify(list(_items(target, "sample")))
    choice = site.rng().integers(0, len(items), site.n, dtype=np.int32)
    if all(isinstance(i, pa.Scalar) for i in items):
        return pa.array([i.as_py() for i in items], items[0].type).take(pa.array(choice))
    arrays = [as_array(i, site.n) for i in items]
    return pc.choose(pa.array(choice), *arrays)


def _extreme(name: str, kernel: Any, op: str) -> None:
    def impl(site: CallSite, target: Any) -> Value:
        items = unify(list(_items(target, name)))
        compare(op, items[0], items[0])  # raises for values that do not compare
        return kernel(*items)

    function(name, 1, 1, f"[a, b].{name}: the {name}imum of the items")(impl)


_extreme("min", lambda *a: pc.min_element_wise(*a, skip_nulls=False), "<")
_extreme("max", lambda *a: pc.max_element_wise(*a, skip_nulls=False), ">")
