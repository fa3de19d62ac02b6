"""Pattern types: regular expressions, character masks, GUIDs, hashes, colours, object ids."""

from __future__ import annotations

import string

import numpy as np
import pyarrow as pa

from datagen.columns import from_matrix, hex_matrix, join
from datagen.types.options import Options
from datagen.types.regex import RegexError, compile_regex
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["base64_matrix", "compile_mask", "guid_strings", "mask_sampler", "slot_matrix"]

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


def slot_matrix(rng: np.random.Generator, n: int, slots: list[bytes]) -> np.ndarray:
    """An (n, len(slots)) byte matrix: column j drawn uniformly from slots[j]'s bytes."""
    mat = np.empty((n, len(slots)), dtype=np.uint8)
    for j, slot in enumerate(slots):
        table = np.frombuffer(slot, dtype=np.uint8)
        mat[:, j] = table[0] if len(table) == 1 else table[rng.integers(0, len(table), n)]
    return mat


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


_CROCKFORD = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", np.uint8)


@field_type("ULID", "Patterns", "26-character ULIDs: a 2015-2024 time in ms, then 80 random bits")
def ulid(opts: Options, ctx: Context) -> Sampler:
    shifts = np.arange(45, -1, -5, dtype=np.int64)

    def sample(b: Batch) -> pa.Array:
        millis = b.rng.integers(1_420_070_400_000, 1_735_689_600_000, b.size, dtype=np.int64)
        time = _CROCKFORD[(millis[:, None] >> shifts[None, :]) & 31]
        rand = _CROCKFORD[b.rng.integers(0, 32, (b.size, 16))]
        return from_matrix(np.concatenate([time, rand], axis=1))

    return sample


_B64 = np.frombuffer(string.ascii_uppercase.encode() + string.ascii_lowercase.encode()
                     + string.digits.encode() + b"+/", np.uint8)  # fmt: skip


def base64_matrix(raw: np.ndarray) -> np.ndarray:
    """Standard base64 (with = padding) of each row of an (n, m) uint8 matrix."""
    n, m = raw.shape
    pad = -m % 3
    full = np.concatenate([raw, np.zeros((n, pad), np.uint8)], axis=1).astype(np.uint32)
    triples = (full[:, 0::3] << 16) | (full[:, 1::3] << 8) | full[:, 2::3]
    quads = np.empty((n, triples.shape[1], 4), dtype=np.uint8)
    for k in range(4):
        quads[:, :, k] = _B64[(triples >> (18 - 6 * k)) & 63]
    out = quads.reshape(n, -1)
    if pad:
        out[:, -pad:] = ord("=")
    return out


@field_type(
    "Encrypt",
    "Patterns",
    "AES-CBC-shaped ciphertext: a 16-byte IV and PKCS#7-padded blocks for a plaintext of "
    "minLength..maxLength bytes, base64 or hex (random bytes: nothing is encrypted)",
    ("minLength=8", "maxLength=64", "encoding=base64|hex"),
)
def encrypt(opts: Options, ctx: Context) -> Sampler:
    lo = opts.integer("minLength", 8, low=0, high=4096)
    hi = opts.integer("maxLength", 64, low=0, high=4096)
    if lo > hi:
        raise opts.fail("minLength", f"({lo}) must not be greater than 'maxLength' ({hi})")
    encoding = opts.choice("encoding", ("base64", "hex"), "base64")

    def sample(b: Batch) -> pa.Array:
        blocks = b.rng.integers(lo, hi + 1, b.size) // 16 + 2  # IV + padded plaintext
        parts, order = [], []
        for count in np.unique(blocks):
            rows = np.flatnonzero(blocks == count)
            raw = b.rng.integers(0, 256, (len(rows), 16 * int(count)), dtype=np.uint8)
            text = base64_matrix(raw) if encoding == "base64" else hex_matrix(raw)
            parts.append(from_matrix(text))
            order.append(rows)
        inverse = np.empty(b.size, dtype=np.int64)
        inverse[np.concatenate(order)] = np.arange(b.size)
        return pa.concat_arrays(parts).take(inverse)

    return sample
