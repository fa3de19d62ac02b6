"""Pattern types: regular expressions, character masks, GUIDs, hashes, colours, object ids."""

from __future__ import annotations

import string

import numpy as np
import pyarrow as pa

from datagen.columns import from_matrix, hex_matrix, join
from datagen.types.options import Options
from datagen.types.regex import RegexError, compile_regex
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["compile_mask", "guid_strings"]

# Mockaroo's mask characters; any other character is copied, and "\" copies the next one.
MASK = {
    "#": string.digits,
    "@": string.ascii_lowercase,
    "^": string.ascii_uppercase,
    "*": string.ascii_letters + string.digits,
    "$": string.ascii_lowercase + string.digits,
    "%": string.ascii_uppercase + string.digits,
}


def compile_mask(fmt: str) -> list[bytes]:
    """Each output byte position's candidate bytes (one candidate = a literal byte)."""
    slots: list[bytes] = []
    escaped = False
    for ch in fmt:
        if not escaped and ch == "\\":
            escaped = True
            continue
        if not escaped and ch in MASK:
            slots.append(MASK[ch].encode())
        else:
            slots.extend(bytes([b]) for b in ch.encode())
        escaped = False
    return slots


def mask_sampler(fmt: str) -> Sampler:
    """Fill a mask column-wise: one byte matrix per chunk, one random draw per masked slot."""
    slots = compile_mask(fmt)
    tables = [np.frombuffer(s, dtype=np.uint8) for s in slots]

    def sample(b: Batch) -> pa.Array:
        mat = np.empty((b.size, len(tables)), dtype=np.uint8)
        for j, table in enumerate(tables):
            mat[:, j] = (
                table[0] if len(table) == 1 else table[b.rng.integers(0, len(table), b.size)]
            )
        return from_matrix(mat)

    return sample


@field_type(
    "Character Sequence",
    "Patterns",
    "mask: # digit, @ lower, ^ upper, * letter/digit, $ lower/digit, % upper/digit",
    ("format=@@##-^^",),
)
def character_sequence(opts: Options, ctx: Context) -> Sampler:
    return mask_sampler(opts.text("format", "@@##-^^"))


@field_type(
    "Digit Sequence", "Patterns", "a mask of digits, like ###-##-####", ("format=###-##-####",)
)
def digit_sequence(opts: Options, ctx: Context) -> Sampler:
    return mask_sampler(opts.text("format", "###-##-####"))


@field_type(
    "Regular Expression", "Patterns", "strings matching a regex", ("value=[A-Z]{3}-\\d{4}",)
)
def regular_expression(opts: Options, ctx: Context) -> Sampler:
    key = "value" if opts.has("value") else "format"
    try:
        make = compile_regex(opts.text(key, "[A-Z]{3}-\\d{4}"))
    except RegexError as exc:
        raise opts.fail(key, str(exc)) from None
    return lambda b: make(b.rng, b.size)


def guid_strings(raw: np.ndarray) -> pa.Array:
    """Version-4 GUID text from an (n, 16) uint8 matrix of random bytes."""
    raw = raw.copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = hex_matrix(raw)
    out = np.full((len(raw), 36), ord("-"), dtype=np.uint8)
    for src, dst, width in ((0, 0, 8), (8, 9, 4), (12, 14, 4), (16, 19, 4), (20, 24, 12)):
        out[:, dst : dst + width] = hexed[:, src : src + width]
    return from_matrix(out)


def _random_bytes(b: Batch, k: int) -> np.ndarray:
    return b.rng.integers(0, 256, (b.size, k), dtype=np.uint8)


@field_type("GUID", "Patterns", "random version-4 GUIDs", aliases=("UUID",))
def guid(opts: Options, ctx: Context) -> Sampler:
    return lambda b: guid_strings(_random_bytes(b, 16))


def _hex_type(name: str, nbytes: int) -> None:
    @field_type(name, "Patterns", f"random {nbytes * 8}-bit hash as {nbytes * 2} hex digits")
    def build(opts: Options, ctx: Context) -> Sampler:
        return lambda b: from_matrix(hex_matrix(_random_bytes(b, nbytes)))


for _name, _size in (("MD5", 16), ("SHA1", 20), ("SHA256", 32)):
    _hex_type(_name, _size)


@field_type("Hex Color", "Patterns", "#rrggbb")
def hex_color(opts: Options, ctx: Context) -> Sampler:
    return lambda b: join("#", from_matrix(hex_matrix(_random_bytes(b, 3))))


@field_type("Short Hex Color", "Patterns", "#rgb")
def short_hex_color(opts: Options, ctx: Context) -> Sampler:
    return lambda b: join("#", from_matrix(hex_matrix(_random_bytes(b, 2))[:, :3]))


@field_type(
    "MongoDB ObjectID", "Patterns", "24 hex digits: a 2015-2024 timestamp, then random bytes"
)
def object_id(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        seconds = b.rng.integers(1_420_070_400, 1_735_689_600, b.size).astype(">u4")
        raw = np.concatenate([seconds.view(np.uint8).reshape(-1, 4), _random_bytes(b, 8)], axis=1)
        return from_matrix(hex_matrix(raw))

    return sample
