"""Keys: their canonical form, their stable partition, and a total order across types.

Why not Python's own semantics: `hash()` is salted per process, so it cannot pick a
partition that is the same on every run; `True == 1` would merge a JSON `true` key
with the number 1; and mixed key types (None, 3, "a") cannot be sorted. Here:
- bool keys are wrapped in `BoolKey` so they stay distinct from 0 and 1;
- 1 and 1.0 are one key (JSON has one number type); the first one seen is kept;
- lists become tuples (hashable), dicts and NaN are refused;
- the order is null < bool < number < string < bytes < tuple (element-wise) < other.
"""

from __future__ import annotations

import math
from typing import Any
from zlib import crc32

__all__ = [
    "BoolKey",
    "canonical_key",
    "pair_sort_key",
    "partition_of",
    "plain_key",
    "sort_key",
]


class BoolKey:
    """A bool used as a key: equal only to the same bool, never to 0 or 1."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is BoolKey and other.value is self.value

    def __hash__(self) -> int:
        return hash((BoolKey, self.value))

    def __repr__(self) -> str:
        return f"BoolKey({self.value})"

    def __reduce__(self) -> tuple[type[BoolKey], tuple[bool]]:
        return (BoolKey, (self.value,))


def canonical_key(key: Any) -> Any:
    """Return the form of `key` the shuffle uses; raise TypeError/ValueError for unusable keys."""
    kind = type(key)
    if kind is str or kind is int or key is None or kind is bytes:
        return key
    if kind is bool:
        return BoolKey(key)
    if kind is float:
        if math.isnan(key):
            raise ValueError("key is NaN")
        return key
    if kind is tuple or kind is list:
        return tuple(canonical_key(part) for part in key)
    if kind is BoolKey:
        return key
    if kind is dict:
        raise TypeError("a key cannot be a JSON object (dict); pick a field or a tuple of fields")
    hash(key)  # unhashable keys fail here with Python's own TypeError
    return key


def plain_key(key: Any) -> Any:
    """Undo `canonical_key` for output: BoolKey back to bool, element-wise for tuples."""
    kind = type(key)
    if kind is BoolKey:
        return key.value
    if kind is tuple:
        return tuple(plain_key(part) for part in key)
    return key


def _encode(key: Any) -> bytes:
    kind = type(key)
    if kind is str:
        return key.encode("utf-8", "surrogatepass")
    if kind is int:
        return b"i%d" % key
    if kind is float:
        if key.is_integer():
            return b"i%d" % int(key)  # equal keys must land in one partition: 1.0 == 1
        return b"f" + repr(key).encode()
    if key is None:
        return b"n"
    if kind is BoolKey:
        return b"b1" if key.value else b"b0"
    if kind is bytes:
        return b"y" + key
    if kind is tuple:
        parts = [_encode(part) for part in key]
        return b"t" + b"".join(b"%d:" % len(part) + part for part in parts)
    return b"o" + type(key).__qualname__.encode() + b":" + repr(key).encode()


def partition_of(key: Any, partitions: int) -> int:
    """Stable partition of a canonical key: CRC-32 of its canonical bytes, modulo `partitions`."""
    if type(key) is str:
        return crc32(key.encode("utf-8", "surrogatepass")) % partitions
    return crc32(_encode(key)) % partitions


def sort_key(key: Any) -> tuple[Any, ...]:
    """Total-order sort key for canonical keys of any mix of types."""
    kind = type(key)
    if kind is str:
        return (3, key)
    if kind is int or kind is float:
        return (2, key)
    if key is None:
        return (0, 0)
    if kind is BoolKey:
        return (1, key.value)
    if kind is bytes:
        return (4, key)
    if kind is tuple:
        return (5, tuple(sort_key(part) for part in key))
    return (6, type(key).__qualname__, repr(key))


def pair_sort_key(pair: tuple[Any, Any]) -> tuple[Any, ...]:
    """sort_key of a (key, value) pair's key: sorts pairs stably by key alone."""
    return sort_key(pair[0])
