"""Versioned records: which key and version sits at each file position, and which one wins.

With `--versions K` (or `A-B`) every key appears in several versions, scattered over the file.
Everything is a pure function of (seed, position), so each chunk computes its own rows and the
truth with flat memory:

    slot s = 0 .. rows-1    keys laid end to end: key k owns slots start(k) .. start(k)+count(k)-1
    position p = perm⁻¹(s)  a seeded Feistel permutation of [0, rows) scatters slots over the file
    instant(k, v)           base(k) + v·step + jitter(k, v), jitter < step: strictly increasing in v
    ties                    for a share of keys the top two versions get the same instant; the
                            later of the two in the file is the winner

Version counts repeat a seeded pattern of PATTERN keys, so start(k) is arithmetic. The last key
may have fewer versions so that the file holds exactly --rows records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from datagen.errors import UsageError
from datagen.types.pools import derive_seed

__all__ = ["VersionPlan", "parse_versions", "permute", "unpermute"]

PATTERN = 4096
_M1, _M2, _GOLDEN = (
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
    np.uint64(0x9E3779B97F4A7C15),
)
_ROUNDS = 4


def parse_versions(spec: int | str) -> tuple[int, int]:
    """`4`, "4" or "2-5" as (low, high)."""
    text = str(spec).strip()
    m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
    if isinstance(spec, bool) or not m:
        raise UsageError(f"--versions must be a count like 4 or a range like 2-5, got {spec!r}")
    low = int(m[1])
    high = int(m[2]) if m[2] else low
    if low < 1 or low > high or high > 1000:
        raise UsageError(f"--versions {text}: counts must satisfy 1 <= low <= high <= 1000")
    return low, high


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def hash64(seed: int, *values: np.ndarray | int) -> np.ndarray:
    """A stable 64-bit hash of (seed, values...) per element."""
    h = np.full(
        np.broadcast(*[np.asarray(v) for v in values]).shape, np.uint64(seed), dtype=np.uint64
    )
    for v in values:
        h = _mix(h ^ np.asarray(v).astype(np.uint64))
    return h


def _feistel(x: np.ndarray, half: int, keys: tuple[int, ...], inverse: bool) -> np.ndarray:
    mask = np.uint64((1 << half) - 1)
    shift = np.uint64(half)
    left, right = x >> shift, x & mask
    for key in reversed(keys) if inverse else keys:
        k = np.uint64(key)
        if inverse:
            right, left = left, right ^ (_mix(left ^ k) & mask)
        else:
            left, right = right, left ^ (_mix(right ^ k) & mask)
    return (left << shift) | right


def _walk(p: np.ndarray, n: int, seed: int, inverse: bool) -> np.ndarray:
    if n <= 1:
        return np.asarray(p, dtype=np.int64)
    half = ((n - 1).bit_length() + 1) // 2
    keys = tuple(derive_seed(seed, "permutation", r) for r in range(_ROUNDS))
    y = _feistel(np.asarray(p, dtype=np.uint64), half, keys, inverse)
    out = y >= np.uint64(n)
    while out.any():  # cycle-walking: re-apply until the value falls back inside [0, n)
        y[out] = _feistel(y[out], half, keys, inverse)
        out = y >= np.uint64(n)
    return y.astype(np.int64)


def permute(p: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The slot at each file position: a seeded bijection of [0, n)."""
    return _walk(p, n, seed, inverse=False)


def unpermute(s: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The file position of each slot (the inverse of `permute`)."""
    return _walk(s, n, seed, inverse=True)


@lru_cache(maxsize=16)
def _pattern(low: int, high: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    size = 1 if low == high else PATTERN
    counts = np.random.default_rng(derive_seed(seed, "versions")).integers(low, high + 1, size)
    prefix = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(counts, out=prefix[1:])
    return counts.astype(np.int64), prefix


@dataclass(frozen=True, slots=True)
class VersionPlan:
    """The deterministic layout of keys, versions and instants over `rows` file positions."""

    rows: int
    low: int
    high: int
    seed: int
    ties: float
    first: int  # earliest instant (seconds since 1970)
    last: int  # latest base instant

    @property
    def step(self) -> int:
        return int(max(2, min(7 * 86400, (self.last - self.first) // (2 * self.high))))

    @property
    def keys(self) -> int:
        counts, prefix = _pattern(self.low, self.high, self.seed)
        full, rem = divmod(self.rows, int(prefix[-1]))
        j = int(np.searchsorted(prefix, rem, side="right")) - 1
        return full * len(counts) + j + (1 if rem > prefix[j] else 0)

    def start(self, keys: np.ndarray) -> np.ndarray:
        counts, prefix = _pattern(self.low, self.high, self.seed)
        return (keys // len(counts)) * prefix[-1] + prefix[keys % len(counts)]

    def counts(self, keys: np.ndarray) -> np.ndarray:
        pattern, _ = _pattern(self.low, self.high, self.seed)
        return np.minimum(pattern[keys % len(pattern)], self.rows - self.start(keys))

    def locate(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(key, version) at each file position; keys count from 0."""
        counts, prefix = _pattern(self.low, self.high, self.seed)
        slots = permute(positions, self.rows, self.seed)
        block, within = np.divmod(slots, prefix[-1])
        j = np.searchsorted(prefix, within, side="right") - 1
        return block * len(counts) + j, within - prefix[j]

    def tied(self, keys: np.ndarray) -> np.ndarray:
        chance = hash64(self.seed, keys, 7) >> np.uint64(11)
        return (chance < np.uint64(int(self.ties * (1 << 53)))) & (self.counts(keys) >= 2)

    def instants(self, keys: np.ndarray, versions: np.ndarray) -> np.ndarray:
        """Seconds since 1970 of each (key, version); the top two of a tied key are equal."""
        step = self.step
        span = max(1, self.last - self.first - self.high * step)
        base = self.first + (hash64(self.seed, keys, 1) % np.uint64(span)).astype(np.int64)
        tie = self.tied(keys) & (versions == self.counts(keys) - 1)
        v = np.where(tie, versions - 1, versions)
        return base + v * step + (hash64(self.seed, keys, v, 2) % np.uint64(step)).astype(np.int64)

    def winners(self, positions: np.ndarray, keys: np.ndarray, versions: np.ndarray) -> np.ndarray:
        """Whether each row is its key's latest version (a tie goes to the later position)."""
        counts = self.counts(keys)
        top = versions == counts - 1
        tied = self.tied(keys) & (versions >= counts - 2)
        if not tied.any():
            return top
        other = self.start(keys[tied]) + np.where(top[tied], counts[tied] - 2, counts[tied] - 1)
        later = positions[tied] > unpermute(other, self.rows, self.seed)
        result = top & ~tied
        result[np.flatnonzero(tied)] = later
        return result
