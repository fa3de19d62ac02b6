"""Names and what is made of them: first/last name pools, usernames, domains and emails.

Pools are built once, column-wise, from the locale's weighted names.
An email costs two look-ups and one join per row: a pool of 65,536 usernames (jsmith,
john.smith, john42, smithj7 ...) and a pool of 4,096 domains (half free-mail, half
company-like such as lee-jones.net), both drawn with the names' own weights.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join
from datagen.types.pools import Pool, derive_seed, element_pool

__all__ = [
    "domain_pool",
    "email_domain_pool",
    "first_names",
    "last_names",
    "login_names",
    "login_pool",
]

LOGINS = 1 << 16
DOMAINS = 1 << 12


def first_names(locale: str, sex: str = "") -> Pool:
    """First names (all, "male" or "female") with Faker's frequency weights."""
    attribute = f"first_names_{sex}" if sex else "first_names"
    return element_pool(locale, attribute, f"first_name_{sex}" if sex else "first_name")


def last_names(locale: str) -> Pool:
    """Last names with Faker's frequency weights."""
    return element_pool(locale, "last_names", "last_name")


def _ascii_login(values: list[str]) -> list[str]:
    folded = (unicodedata.normalize("NFKD", v).encode("ascii", "ignore").decode() for v in values)
    return ["".join(c for c in f.lower() if c.isalnum()) for f in folded]


@lru_cache(maxsize=32)
def login_names(locale: str) -> tuple[Pool, Pool]:
    """ASCII lower-case first and last names for usernames and emails (weights kept)."""
    pools = []
    for pool in (first_names(locale), last_names(locale)):
        logins = _ascii_login(pool.values.to_pylist())
        if sum(1 for v in logins if v) < len(logins) / 2:  # a script without Latin letters
            return login_names("en_US")
        logins = [v or "user" for v in logins]
        pools.append(Pool(pa.array(logins, pa.string()), pool.cdf))
    return pools[0], pools[1]


def _rng(seed: int, locale: str, what: str) -> np.random.Generator:
    return np.random.default_rng(derive_seed(seed, locale, what))


@lru_cache(maxsize=32)
def login_pool(locale: str, seed: int) -> Pool:
    """Usernames like jsmith, john.smith, john42 or smithj7, mixed."""
    rng, n = _rng(seed, locale, "logins"), LOGINS
    first, last = login_names(locale)
    f, ln = first.strings(rng, n), last.strings(rng, n)
    number = pa.array(rng.integers(1, 1000, n)).cast(pa.string())
    initial = pc.utf8_slice_codeunits(f, 0, 1)
    styles = [join(initial, ln), join(f, ".", ln), join(f, number), join(ln, initial, number)]
    return Pool(pc.choose(pa.array(rng.integers(0, len(styles), n, dtype=np.int8)), *styles))


@lru_cache(maxsize=32)
def domain_pool(locale: str, seed: int) -> Pool:
    """Company-like domains as Faker makes them (smith.com, lee-jones.net)."""
    rng, n = _rng(seed, locale, "domains"), DOMAINS
    _, last = login_names(locale)
    tlds = element_pool(locale, "tlds", "tld")
    name = last.strings(rng, n)
    name = pc.if_else(pa.array(rng.random(n) < 0.3), join(name, "-", last.strings(rng, n)), name)
    return Pool(join(name, ".", tlds.strings(rng, n)))


@lru_cache(maxsize=32)
def email_domain_pool(locale: str, seed: int) -> Pool:
    """Half free-mail domains (gmail.com ...), half company-like ones."""
    rng, n = _rng(seed, locale, "email-domains"), DOMAINS
    free = element_pool(locale, "free_email_domains", "free_email_domain").strings(rng, n // 2)
    return Pool(pa.concat_arrays([free, domain_pool(locale, seed).values[: n - n // 2]]))
