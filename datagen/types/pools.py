"""Pools of realistic values made once by Faker, then sampled by numpy for every row.

A naive loop calls Faker per value (~30 µs each); here Faker makes a pool once per
(method, locale, seed) and each chunk only draws indices into it (issue #3, Speed).
Pools are cached per process; worker processes forked after the parent built them inherit them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from datagen.types.draws import fast_draws
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = [
    "POOL_SIZE",
    "Pool",
    "column_pools",
    "derive_seed",
    "element_pool",
    "faker_pool",
    "faker_type",
    "family_indices",
    "known_locale",
    "list_pool",
    "pool_type",
    "provider_faker",
    "record_column",
    "record_type",
]

POOL_SIZE = 2048


def derive_seed(*parts: object) -> int:
    """A stable 63-bit seed from the run's seed and names (never Python's salted hash())."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def known_locale(locale: str) -> bool:
    return locale in AVAILABLE_LOCALES


GUIDE_BITS = 16


@dataclass(frozen=True, slots=True)
class Pool:
    """Values to draw from, uniformly or by cumulative weights `cdf`."""

    values: pa.Array
    cdf: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.values)

    @property
    def guide(self) -> np.ndarray:
        """Pre-drawn weights: the value at each of 2**16 equal quantiles of the cdf.

        One table look-up per row instead of a binary search; each value's share is off
        by at most 2**-16, which no one can see in mock data.
        """
        assert self.cdf is not None
        return _guide(self.cdf.tobytes())

    def indices(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.cdf is None:
            return rng.integers(0, len(self.values), n, dtype=np.int32)
        return self.guide[rng.integers(0, 1 << GUIDE_BITS, n)]

    def sample(self, rng: np.random.Generator, n: int) -> pa.Array:
        """n draws as a dictionary array (the pool is encoded once per chunk, not per row)."""
        return pa.DictionaryArray.from_arrays(pa.array(self.indices(rng, n)), self.values)

    def strings(self, rng: np.random.Generator, n: int) -> pa.Array:
        """n draws as a plain string array, for building composite values."""
        return self.values.take(self.indices(rng, n))


@lru_cache(maxsize=256)
def _guide(cdf_bytes: bytes) -> np.ndarray:
    cdf = np.frombuffer(cdf_bytes, dtype=np.float64)
    quantiles = (np.arange(1 << GUIDE_BITS) + 0.5) / (1 << GUIDE_BITS)
    return np.searchsorted(cdf, quantiles, side="right").clip(0, len(cdf) - 1).astype(np.int32)


def list_pool(values: Sequence[str], weights: Sequence[float] | None = None) -> Pool:
    """A pool over fixed values, optionally weighted."""
    if weights is None:
        return Pool(pa.array(list(values), pa.string()))
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w) / w.sum()
    cdf[-1] = 1.0
    return Pool(pa.array(list(values), pa.string()), cdf)


# Lists some Faker locales build from a set at import: their order, so which value a seeded
# draw picks, changed with PYTHONHASHSEED from one process to the next. Sorted, a seed gives
# the same values in every process.
_SET_ORDERED = {"faker.providers.address.it_IT": ("cities",)}


@lru_cache(maxsize=64)
def _faker(locale: str) -> Faker:
    fake = fast_draws(Faker(locale))
    for provider in fake.providers:
        for name in _SET_ORDERED.get(type(provider).__module__, ()):
            setattr(provider, name, sorted(getattr(provider, name)))
    return fake


def provider_faker(locale: str, method: str) -> Faker:
    """The locale's Faker, or en_US's when the locale lacks that provider method."""
    fake = _faker(locale)
    return fake if hasattr(fake, method) else _faker("en_US")


@lru_cache(maxsize=512)
def faker_pool(locale: str, seed: int, method: str, size: int = POOL_SIZE) -> Pool:
    """`size` values of Faker's `method`, from a Faker seeded by (seed, locale, method)."""
    fake = provider_faker(locale, method)
    fake.seed_instance(derive_seed(seed, locale, method))
    make = getattr(fake, method)
    return Pool(pa.array([str(make()) for _ in range(size)], pa.string()))


@lru_cache(maxsize=256)
def element_pool(locale: str, attribute: str, method: str) -> Pool:
    """A provider's own value list (weighted when Faker weights it), else a pool of `method`."""
    fake = provider_faker(locale, method)
    for provider in fake.providers:
        elements = getattr(provider, attribute, None)
        if isinstance(elements, Mapping) and elements:
            weights = list(elements.values())
            numeric = all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights)
            return list_pool([str(k) for k in elements], weights if numeric else None)
        if isinstance(elements, Sequence) and not isinstance(elements, str) and elements:
            return list_pool([str(v) for v in elements])
    return faker_pool(locale, 0, method)


def faker_type(
    name: str,
    category: str,
    summary: str,
    method: str,
    size: int = POOL_SIZE,
    aliases: tuple[str, ...] = (),
) -> None:
    """Register a type whose values are a pool of Faker's `method`, drawn uniformly."""

    @field_type(name, category, summary, aliases=aliases)
    def build(opts: object, ctx: Context) -> Sampler:
        pool = faker_pool(ctx.locale, ctx.seed, method, size)

        def sample(b: Batch) -> pa.Array:
            return pool.sample(b.rng, b.size)

        return sample


def pool_type(
    name: str,
    category: str,
    summary: str,
    values: Sequence[str],
    weights: Sequence[float] | None = None,
    aliases: tuple[str, ...] = (),
) -> None:
    """Register a type drawing from a fixed list (optionally weighted)."""
    pool = list_pool(values, weights)

    @field_type(name, category, summary, aliases=aliases)
    def build(opts: object, ctx: Context) -> Sampler:
        def sample(b: Batch) -> pa.Array:
            return pool.sample(b.rng, b.size)

        return sample


def column_pools(rows: Sequence[Sequence[object]]) -> list[Pool]:
    """One pool per column of a table of records (each column drawn on its own)."""
    return [list_pool([str(r[j]) for r in rows]) for j in range(len(rows[0]))]


def family_indices(ctx: Context, family: str, b: Batch, size: int) -> np.ndarray:
    """Row indices into a table shared by a family of types (Stock Symbol, Stock Name ...).

    Drawn from (seed, family, the batch's first row) rather than the field's own stream, so
    every field of the family picks the same record in a row: a row's Stock Symbol and
    Stock Name name one company, and an ICD code comes with its own description.
    """
    rng = np.random.default_rng([ctx.seed, derive_seed("family", family), b.start])
    return rng.integers(0, size, b.size)


def record_column(values: Sequence[object]) -> tuple[np.ndarray, pa.Array]:
    """One column of a record table as (row -> dictionary code, dictionary of distinct values)."""
    distinct = sorted(set(values), key=str)
    code = {v: i for i, v in enumerate(distinct)}
    return np.array([code[v] for v in values], dtype=np.int32), pa.array(distinct)


def record_type(
    name: str,
    category: str,
    summary: str,
    family: str,
    values: Sequence[object],
    aliases: tuple[str, ...] = (),
) -> None:
    """Register one column of a record table, drawn by `family_indices` (see there)."""
    codes, distinct = record_column(values)

    @field_type(name, category, summary, aliases=aliases)
    def build(opts: object, ctx: Context) -> Sampler:
        def sample(b: Batch) -> pa.Array:
            picked = codes[family_indices(ctx, family, b, len(codes))]
            if pa.types.is_string(distinct.type):
                return pa.DictionaryArray.from_arrays(pa.array(picked), distinct)
            return distinct.take(pa.array(picked))

        return sample
