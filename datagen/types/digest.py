"""Column-wise SHA-256 and base58check, for check-summed addresses made a chunk at a time.

hashlib hashes one message per call; a Bitcoin address needs two SHA-256 runs per row, so
here the 64 rounds run on numpy uint32 columns for all rows of a chunk at once.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["base58check", "base58encode", "sha256"]

_K = np.array([
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4,
    0xAB1C5ED5, 0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE,
    0x9BDC06A7, 0xC19BF174, 0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F,
    0x4A7484AA, 0x5CB0A9DC, 0x76F988DA, 0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7,
    0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967, 0x27B70A85, 0x2E1B2138, 0x4D2C6DFC,
    0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85, 0xA2BFE8A1, 0xA81A664B,
    0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070, 0x19A4C116,
    0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7,
    0xC67178F2,
], dtype=np.uint32)  # fmt: skip
_H0 = np.array(
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB,
     0x5BE0CD19],
    dtype=np.uint32,
)  # fmt: skip


def _rotr(x: np.ndarray, r: int) -> np.ndarray:
    return (x >> np.uint32(r)) | (x << np.uint32(32 - r))


def sha256(messages: np.ndarray) -> np.ndarray:
    """SHA-256 of each row of an (n, m) uint8 matrix (equal-length messages): (n, 32) uint8."""
    n, m = messages.shape
    padded_len = (m + 9 + 63) // 64 * 64
    data = np.zeros((n, padded_len), dtype=np.uint8)
    data[:, :m] = messages
    data[:, m] = 0x80
    data[:, -8:] = np.frombuffer((m * 8).to_bytes(8, "big"), dtype=np.uint8)
    words = data.view(">u4").astype(np.uint32)  # (n, padded_len // 4), big-endian words
    state = np.tile(_H0, (n, 1))
    for block in range(padded_len // 64):
        w = np.empty((64, n), dtype=np.uint32)
        w[:16] = words[:, block * 16 : block * 16 + 16].T
        for t in range(16, 64):
            s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> np.uint32(3))
            s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> np.uint32(10))
            w[t] = w[t - 16] + s0 + w[t - 7] + s1
        a, b, c, d, e, f, g, h = (state[:, i].copy() for i in range(8))
        for t in range(64):
            s1 = _rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)
            t1 = h + s1 + ((e & f) ^ (~e & g)) + _K[t] + w[t]
            s0 = _rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)
            t2 = s0 + ((a & b) ^ (a & c) ^ (b & c))
            h, g, f, e, d, c, b, a = g, f, e, d + t1, c, b, a, t1 + t2
        state = state + np.stack([a, b, c, d, e, f, g, h], axis=1)
    return state.astype(">u4").view(np.uint8).reshape(n, 32)


_58_5 = 58**5
_ALPHABET = np.frombuffer(b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", np.uint8)


def base58encode(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base58 of each row of an (n, k) uint8 matrix, Bitcoin's alphabet.

    Returns an (n, width) matrix of ASCII codes, each row's text left-aligned, and the
    lengths; leading zero bytes become leading "1"s, as the encoding requires.
    """
    n, k = raw.shape
    width = math.ceil(k * math.log(256) / math.log(58))
    # 32-bit limbs, divided by 58**5 at a time: rem * 2**32 + limb stays below 2**62
    pad = -k % 4
    padded = np.concatenate([np.zeros((n, pad), np.uint8), raw], axis=1)
    limbs = padded.view(">u4").astype(np.int64)  # most significant first
    groups = math.ceil(width / 5)
    digits = np.zeros((n, groups * 5), dtype=np.int64)
    for g in range(groups - 1, -1, -1):
        rem = np.zeros(n, dtype=np.int64)
        for i in range(limbs.shape[1]):
            cur = (rem << 32) + limbs[:, i]
            limbs[:, i] = cur // _58_5
            rem = cur % _58_5
        for d in range(4, -1, -1):
            digits[:, g * 5 + d] = rem % 58
            rem //= 58
    digits = digits[:, groups * 5 - width :]
    significant = width - np.argmax(np.concatenate([digits, np.ones((n, 1), np.int64)], 1) > 0, 1)
    zeros = np.argmax(np.concatenate([raw, np.ones((n, 1), np.uint8)], axis=1) > 0, axis=1)
    lengths = np.minimum(significant + zeros, width)
    shift = width - lengths
    index = np.minimum(np.arange(width)[None, :] + shift[:, None], width - 1)
    return _ALPHABET[np.take_along_axis(digits, index, axis=1)], lengths


def base58check(payload: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base58check: the payload rows followed by the first 4 bytes of their double SHA-256."""
    check = sha256(sha256(payload))[:, :4]
    return base58encode(np.concatenate([payload, check], axis=1))
