"""The registry of formula functions, and the text and number functions.

A function is registered with its arity; `prepare` (optional) runs when the formula is
compiled, to check constant arguments (a digest algorithm, a date_diff unit, a type for
generate) and build what the call needs, so mistakes are schema errors before any output.
Every function works on whole columns; the few that need Python per value (base64, digest,
printf-style format) run once per distinct value, not once per row.
"""

from __future__ import annotations

import base64 as b64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import digits, from_matrix
from datagen.formula.values import (
    FormulaTypeError,
    Value,
    join_text,
    kind,
    noun,
    plain,
    to_text,
)

__all__ = [
    "FUNCTIONS",
    "NOT_CONSTANT",
    "CallSite",
    "Function",
    "ListValue",
    "function",
    "per_value",
    "text_of",
]


@dataclass(frozen=True, slots=True)
class ListValue:
    """A list literal [a, b, c]: a target for include?, sample, min, max, first, last."""

    items: tuple[Value, ...]


@dataclass
class CallSite:
    """One call being evaluated: the rows, a random stream, and what prepare() built."""

    n: int
    rng: Callable[[], np.random.Generator]
    prepared: Any = None
    services: dict[str, Any] = field(default_factory=dict)


Impl = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Function:
    """A function: name, arity (high -1: any), implementation, one-line doc, compile hook."""

    name: str
    low: int
    high: int
    impl: Impl
    doc: str
    prepare: Callable[..., Any] | None = None
    keywords: bool = False  # takes key: value arguments


FUNCTIONS: dict[str, Function] = {}


class _NotConstant:
    def __repr__(self) -> str:
        return "<not a constant>"


# what prepare() sees for an argument that is not a literal
NOT_CONSTANT: Any = _NotConstant()


def function(
    name: str,
    low: int,
    high: int,
    doc: str,
    prepare: Callable[..., Any] | None = None,
    keywords: bool = False,
) -> Callable[[Impl], Impl]:
    """Register the decorated implementation as formula function `name`."""

    def register(impl: Impl) -> Impl:
        FUNCTIONS[name] = Function(name, low, high, impl, doc, prepare, keywords)
        return impl

    return register


def _dictionary_wise(fn: Callable[[Any], Any], value: Value) -> Value:
    """An element-wise string function over a dictionary's values only (pool draws)."""
    if isinstance(value, pa.Array) and pa.types.is_dictionary(value.type):
        return pa.DictionaryArray.from_arrays(value.indices, fn(plain(value.dictionary)))
    return fn(plain(value))  # type: ignore[arg-type]


def per_value(value: Value, fn: Callable[[str], str]) -> Value:
    """A Python function of each value's text, run once per distinct value; nil stays nil."""
    original = plain(value)  # type: ignore[arg-type]
    if kind(original) == "nil":
        return (
            pa.scalar(None, pa.string())
            if isinstance(original, pa.Scalar)
            else (pa.nulls(len(original), pa.string()))
        )
    text = text_of(original)
    if isinstance(text, pa.Scalar):
        return pa.scalar(fn(text.as_py()) if text.is_valid else None, pa.string())
    encoded = text.dictionary_encode()  # nil is not in the dictionary: fn never sees it
    out = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pa.DictionaryArray.from_arrays(encoded.indices, out).dictionary_decode()


def text_of(value: Value) -> pa.Array | pa.Scalar:
    """Text for string functions: text as it is, other values as Ruby's to_s; nil stays nil."""
    value = plain(value)  # type: ignore[arg-type]
    k = kind(value)
    if k == "str":
        return value
    if k == "nil":
        return (
            value.cast(pa.string()) if isinstance(value, pa.Array) else pa.scalar(None, pa.string())
        )
    text = to_text(value)
    if isinstance(value, pa.Scalar):
        return text if value.is_valid else pa.scalar(None, pa.string())
    if value.null_count:
        return pc.if_else(value.is_valid(), text, pa.scalar(None, pa.string()))
    return text


def _string_fn(kernel: Callable[[Any], Any]) -> Impl:
    def impl(site: CallSite, value: Value) -> Value:
        if kind(value) == "nil":
            return value
        if kind(value) != "str":
            value = to_text(value)
        return _dictionary_wise(kernel, value)

    return impl


for _name, _kernel, _doc in (
    ("lower", pc.utf8_lower, 'lower("XYZ") is "xyz"'),
    ("upper", pc.utf8_upper, 'upper("xyz") is "XYZ"'),
    ("trim", pc.utf8_trim_whitespace, 'trim("  a ") is "a"'),
    ("capitalize", pc.utf8_capitalize, 'capitalize("jOHN") is "John"'),
    ("title", pc.utf8_title, 'title("ann lee") is "Ann Lee"'),
    ("reverse", pc.utf8_reverse, 'reverse("abc") is "cba"'),
    ("swapcase", pc.utf8_swapcase, 'swapcase("aB") is "Ab"'),
):
    function(_name, 1, 1, _doc)(_string_fn(_kernel))


@function("concat", 1, -1, 'concat(first_name, " ", last_name): the arguments as one text')
def _concat(site: CallSite, *args: Value) -> Value:
    return join_text(list(args))


@function("to_s", 1, 1, 'to_s(x): x as text, as Ruby\'s x.to_s (nil is "")')
def _to_s(site: CallSite, value: Value) -> Value:
    if kind(value) == "str":
        return _dictionary_wise(lambda a: pc.fill_null(a, ""), value)
    return to_text(value)


@function("length", 1, 1, "length(text): its number of characters (of a list: its items)")
def _length(site: CallSite, value: Any) -> Value:
    if isinstance(value, ListValue):
        return pa.scalar(len(value.items))
    if kind(value) not in ("str", "nil"):
        raise FormulaTypeError(f"length needs text, got {noun(value)}")
    return pc.cast(pc.utf8_length(plain(value)), pa.int64())  # type: ignore[arg-type]


@function("base64", 1, 1, 'base64("hi") is "aGk="')
def _base64(site: CallSite, value: Value) -> Value:
    return per_value(value, lambda s: b64.b64encode(s.encode()).decode())


@function("hex", 1, 1, 'hex("hi") is "6869"')
def _hex(site: CallSite, value: Value) -> Value:
    return per_value(value, lambda s: s.encode().hex())


_DIGESTS = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha384": "sha384",
            "sha512": "sha512", "rmd160": "ripemd160"}  # fmt: skip


def _prepare_digest(args: list[Any], kwargs: dict[str, Any], services: Any) -> tuple[str, str]:
    algorithm = str(args[1] if len(args) > 1 and args[1] is not None else "sha256").lower()
    encoding = str(args[2] if len(args) > 2 and args[2] is not None else "hex").lower()
    if algorithm not in _DIGESTS and algorithm != "hmac":
        raise FormulaTypeError(
            f"digest algorithm {algorithm!r} is not one of MD5, HMAC, RMD160, SHA1, SHA256, "
            "SHA384, SHA512"
        )
    if encoding not in ("hex", "base64"):
        raise FormulaTypeError(f"digest encoding must be 'hex' or 'base64', got {encoding!r}")
    if algorithm != "hmac":
        try:
            hashlib.new(_DIGESTS[algorithm])
        except ValueError:
            raise FormulaTypeError(f"this Python has no {algorithm.upper()} digest") from None
    return algorithm, encoding


@function(
    "digest",
    1,
    4,
    "digest(text, 'SHA256', 'hex'): MD5, RMD160, SHA1, SHA256, SHA384, SHA512, or HMAC "
    "(SHA256, with the key as 4th argument); as hex or base64",
    prepare=_prepare_digest,
)
def _digest(site: CallSite, value: Value, *rest: Value) -> Value:
    algorithm, encoding = site.prepared
    key = rest[2].as_py() if len(rest) > 2 and isinstance(rest[2], pa.Scalar) else ""

    def one(s: str) -> str:
        if algorithm == "hmac":
            raw = hmac.new(str(key or "").encode(), s.encode(), "sha256").digest()
        else:
            raw = hashlib.new(_DIGESTS[algorithm], s.encode()).digest()
        return raw.hex() if encoding == "hex" else b64.b64encode(raw).decode()

    return per_value(value, one)


# -- numbers ---------------------------------------------------------------------------------


def number(value: Value, what: str) -> Value:
    """The value if it is a number (or nil); FormulaTypeError otherwise."""
    if kind(value) not in ("int", "float", "nil"):
        raise FormulaTypeError(f"{what} needs a number, got {noun(value)}")
    return plain(value)  # type: ignore[arg-type]


def _places(value: Value | None, what: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, pa.Scalar) or kind(value) != "int":
        raise FormulaTypeError(f"{what} needs a whole number of decimals like 2")
    return int(value.as_py())


@function("round", 1, 2, "round(2.345, 2) is 2.35 (halves away from zero); round(2.5) is 3")
def _round(site: CallSite, value: Value, places: Value | None = None) -> Value:
    value, digits_ = number(value, "round"), _places(places, "round")
    if kind(value) != "float":
        return value
    out = pc.round(value, max(digits_, 0), round_mode="half_towards_infinity")
    return pc.cast(out, pa.int64()) if digits_ <= 0 else out


@function("abs", 1, 1, "abs(-3) is 3")
def _abs(site: CallSite, value: Value) -> Value:
    return pc.abs_checked(number(value, "abs"))


def _whole(kernel: Callable[[Any], Any], what: str) -> Impl:
    def impl(site: CallSite, value: Value) -> Value:
        value = number(value, what)
        return pc.cast(kernel(value), pa.int64()) if kind(value) == "float" else value

    return impl


function("ceil", 1, 1, "ceil(2.1) is 3")(_whole(pc.ceil, "ceil"))
function("floor", 1, 1, "floor(2.9) is 2")(_whole(pc.floor, "floor"))


@function("to_i", 1, 1, 'to_i("42") is 42, to_i(2.9) is 2 (text without digits is 0)')
def _to_i(site: CallSite, value: Value) -> Value:
    k, value = kind(value), plain(value)  # type: ignore[arg-type]
    if k == "float":
        return pc.cast(pc.trunc(value), pa.int64())
    if k == "str":
        lead = pc.extract_regex(pc.fill_null(value, ""), r"^\s*(?P<n>[+-]?\d+)")
        return pc.cast(pc.fill_null(pc.struct_field(lead, [0]), "0"), pa.int64())
    if k in ("int", "nil"):
        return value
    raise FormulaTypeError(f"to_i needs a number or text, got {noun(value)}")


@function("to_f", 1, 1, 'to_f("2.5") is 2.5 (text without digits is 0.0)')
def _to_f(site: CallSite, value: Value) -> Value:
    k, value = kind(value), plain(value)  # type: ignore[arg-type]
    if k == "str":
        pattern = r"^\s*(?P<n>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
        lead = pc.extract_regex(pc.fill_null(value, ""), pattern)
        return pc.cast(pc.fill_null(pc.struct_field(lead, [0]), "0"), pa.float64())
    if k in ("int", "float", "nil"):
        return pc.cast(value, pa.float64())
    raise FormulaTypeError(f"to_f needs a number or text, got {noun(value)}")


def fixed_decimals(value: Value, places: int) -> Value:
    """Numbers as text with exactly `places` decimals, halves away from zero (2.5 -> "2.50")."""
    value = number(value, "format")
    scalar = isinstance(value, pa.Scalar)
    arr = pa.array([value.as_py()], pa.float64()) if scalar else pc.cast(value, pa.float64())  # type: ignore[union-attr]
    x = np.asarray(pc.fill_null(arr, 0.0))
    scaled = np.floor(np.abs(x) * 10.0**places + 0.5)  # halves away from zero
    whole = pa.array(np.floor_divide(scaled, 10**places).astype(np.int64)).cast(pa.string())
    sign = pc.if_else(pa.array((x < 0) & (scaled > 0)), "-", "")
    if places > 0:
        frac = from_matrix(digits(np.mod(scaled, 10**places).astype(np.int64), places))
        text = pc.binary_join_element_wise(sign, whole, ".", frac, "")
    else:
        text = pc.binary_join_element_wise(sign, whole, "")
    text = pc.if_else(arr.is_valid(), text, pa.scalar(None, pa.string()))
    return text[0] if scalar else text
