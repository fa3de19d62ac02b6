"""Crypto types: Bitcoin, Ethereum and Tezos addresses and hashes, with valid checksums."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datagen.columns import from_matrix, hex_matrix, join
from datagen.types.digest import base58check
from datagen.types.options import Options
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__: list[str] = []

CATEGORY = "Crypto"


def _base58check(payload: np.ndarray) -> pa.Array:
    mat, lengths = base58check(payload)
    return from_matrix(mat, lengths)


@field_type(
    "Bitcoin Address",
    CATEGORY,
    "base58check addresses: 1... (P2PKH, 80%) or 3... (P2SH), valid checksum",
)
def bitcoin_address(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        payload = b.rng.integers(0, 256, (b.size, 21), dtype=np.uint8)
        payload[:, 0] = np.where(b.rng.random(b.size) < 0.8, 0x00, 0x05)
        return _base58check(payload)

    return sample


@field_type("Ethereum Address", CATEGORY, "0x and 40 lower-case hex digits")
def ethereum_address(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        raw = b.rng.integers(0, 256, (b.size, 20), dtype=np.uint8)
        return join("0x", from_matrix(hex_matrix(raw)))

    return sample


# Tezos base58check prefixes: the bytes that make the text start with tz1, KT1, B, o or sig
TEZOS = {
    "Tezos Account": (bytes([6, 161, 159]), 20, "tz1 implicit account addresses"),
    "Tezos Contract": (bytes([2, 90, 121]), 20, "KT1 originated contract addresses"),
    "Tezos Block": (bytes([1, 52]), 32, "B... block hashes"),
    "Tezos Operation": (bytes([5, 116]), 32, "o... operation hashes"),
    "Tezos Signature": (bytes([4, 130, 43]), 64, "sig... generic signatures"),
}


def _tezos(name: str, prefix: bytes, size: int, summary: str) -> None:
    head = np.frombuffer(prefix, dtype=np.uint8)

    @field_type(name, CATEGORY, f"{summary}, valid base58check checksum")
    def build(opts: Options, ctx: Context) -> Sampler:
        def sample(b: Batch) -> pa.Array:
            body = b.rng.integers(0, 256, (b.size, size), dtype=np.uint8)
            return _base58check(np.concatenate([np.tile(head, (b.size, 1)), body], axis=1))

        return sample


for _name, (_prefix, _size, _summary) in TEZOS.items():
    _tezos(_name, _prefix, _size, _summary)
