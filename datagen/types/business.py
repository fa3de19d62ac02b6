"""Business types: stocks, DUNS and EIN numbers, banks and LEIs, brands, products, films."""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import from_matrix, join, number_table
from datagen.types import catalog
from datagen.types.commerce import luhn_digit
from datagen.types.lists import business
from datagen.types.options import Options
from datagen.types.patterns import slot_matrix
from datagen.types.pools import (
    Pool,
    faker_pool,
    faker_type,
    list_pool,
    pool_type,
    provider_faker,
    record_type,
)
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["EIN_PREFIXES", "lei_check_digits"]

CATEGORY = "Commerce"


for _j, (_name, _summary) in enumerate(
    (
        ("Stock Symbol", "ticker symbols (AAPL, KO ...)"),
        ("Stock Name", "the name of the row's listed company"),
        ("Stock Market", "its exchange: NASDAQ, NYSE or NYSE American"),
        ("Stock Sector", "its sector: Technology, Finance, Health Care ..."),
        ("Stock Industry", "its industry: Semiconductors, Major Banks ..."),
    )
):
    record_type(_name, CATEGORY, _summary, "stock", [s[_j] for s in business.STOCKS])


@field_type("Stock Market Cap", CATEGORY, 'market capitalisations: "$12.34B", "$560.12M", "n/a"')
def stock_market_cap(opts: Options, ctx: Context) -> Sampler:
    cents = number_table(100, 2)

    def sample(b: Batch) -> pa.Array:
        dollars = 10 ** b.rng.uniform(7, 12.5, b.size)  # $10M to about $3T, log-uniform
        billions = dollars >= 1e9
        hundredths = np.round(np.where(billions, dollars / 1e7, dollars / 1e4)).astype(np.int64)
        unit = pc.if_else(pa.array(billions), "B", "M")
        text = join("$", pa.array(hundredths // 100).cast(pa.string()), ".",
                    cents.take(hundredths % 100), unit)  # fmt: skip
        return pc.if_else(pa.array(b.rng.random(b.size) < 0.05), "n/a", text)

    return sample


_DIGITS = b"0123456789"


@field_type("DUNS Number", CATEGORY, "9-digit D-U-N-S numbers ##-###-####, Luhn check digit")
def duns(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        body = b.rng.integers(0, 10, (b.size, 9), dtype=np.int64)
        body[:, 8] = luhn_digit(body[:, :8])
        text = (body + 48).astype(np.uint8)
        out = np.full((b.size, 11), ord("-"), dtype=np.uint8)
        out[:, 0:2], out[:, 3:6], out[:, 7:11] = text[:, 0:2], text[:, 2:5], text[:, 5:9]
        return from_matrix(out)

    return sample


# the IRS's assigned EIN prefixes (campus and online codes); 00, 07-09, 17-19 ... are never used
EIN_PREFIXES = tuple(
    f"{p:02d}"
    for p in [*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49), *range(50, 69),
              *range(71, 78), *range(80, 89), *range(90, 96), 98, 99]
)  # fmt: skip


@field_type("EIN", CATEGORY, "US employer identification numbers ##-####### with IRS prefixes")
def ein(opts: Options, ctx: Context) -> Sampler:
    prefixes = list_pool(EIN_PREFIXES)

    def sample(b: Batch) -> pa.Array:
        rest = from_matrix(slot_matrix(b.rng, b.size, [_DIGITS] * 7))
        return join(prefixes.strings(b.rng, b.size), "-", rest)

    return sample


@lru_cache(maxsize=32)
def _banks(locale: str) -> Pool:
    fake = provider_faker(locale, "bank")
    for provider in fake.providers:
        banks = getattr(provider, "banks", None)
        if banks:
            return list_pool(list(banks))
    return _banks("en_GB") if locale != "en_GB" else list_pool(["Bank"])


@field_type("Bank Name", CATEGORY, "bank names of the locale (Faker's, else British ones)")
def bank_name(opts: Options, ctx: Context) -> Sampler:
    pool = _banks(ctx.locale)
    return lambda b: pool.sample(b.rng, b.size)


for _name, _summary, _method in (
    ("Bank City", "bank branch cities", "city"),
    ("Bank State", "bank branch states", "state"),
    ("Bank Street Address", "bank branch street addresses", "street_address"),
):
    faker_type(_name, CATEGORY, _summary, _method, 1024)


@field_type("Bank Country Code", CATEGORY, "ISO 3166 alpha-2 codes of the bank's country")
def bank_country_code(opts: Options, ctx: Context) -> Sampler:
    try:
        pool = faker_pool(ctx.locale, ctx.seed, "bank_country", 16)
    except (AttributeError, NotImplementedError):
        pool = list_pool(["GB"])
    return lambda b: pool.sample(b.rng, b.size)


_ALNUM = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def lei_check_digits(body: np.ndarray) -> np.ndarray:
    """ISO 17442 check digits (ISO 7064 mod 97-10) of an (n, 18) matrix of ASCII codes."""
    acc = np.zeros(len(body), dtype=np.int64)
    for j in range(body.shape[1]):
        col = body[:, j].astype(np.int64)
        letter = col >= 65
        acc = np.where(letter, (acc * 100 + col - 55) % 97, (acc * 10 + col - 48) % 97)
    return 98 - (acc * 100) % 97


@field_type("Bank LEI", CATEGORY, "20-character Legal Entity Identifiers, valid check digits")
def bank_lei(opts: Options, ctx: Context) -> Sampler:
    slots = [_ALNUM] * 4 + [b"0", b"0"] + [_ALNUM] * 12

    def sample(b: Batch) -> pa.Array:
        body = slot_matrix(b.rng, b.size, slots)
        return join(from_matrix(body), number_table(100, 2).take(lei_check_digits(body)))

    return sample


@field_type("Fake Company Name", CATEGORY, 'invented one-word brand names like "Velora"')
def fake_company(opts: Options, ctx: Context) -> Sampler:
    heads, tails = list_pool(business.BRAND_HEADS), list_pool(business.BRAND_TAILS)
    return lambda b: join(heads.strings(b.rng, b.size), tails.strings(b.rng, b.size))


@lru_cache(maxsize=32)
def _buzzwords(locale: str) -> Pool:
    fake = provider_faker(locale, "catch_phrase")
    for provider in fake.providers:
        words = getattr(provider, "catch_phrase_words", None)
        if words:
            return list_pool(sorted({w for group in words for w in group}))
    return list_pool(["synergy"])


@field_type("Buzzword", CATEGORY, "one business buzzword (Faker's catch-phrase words)")
def buzzword(opts: Options, ctx: Context) -> Sampler:
    pool = _buzzwords(ctx.locale)
    return lambda b: pool.sample(b.rng, b.size)


faker_type("Slogan", CATEGORY, '"enable innovative portals"-style slogans', "bs", 2048)

pool_type(
    "Shirt Size",
    CATEGORY,
    "XS, S, M, L, XL, 2XL, 3XL, weighted toward M and L",
    [s for s, _ in business.SHIRT_SIZES],
    [w for _, w in business.SHIRT_SIZES],
)
pool_type(
    "Product Subcategory", CATEGORY, "Audio, Cookware, Footwear ...", business.PRODUCT_SUBCATEGORIES
)


@field_type("Product Description", CATEGORY, '"Rustic wooden lamp for everyday use"-style text')
def product_description(opts: Options, ctx: Context) -> Sampler:
    adjectives = list_pool(catalog.PRODUCT_ADJECTIVES)
    rest = [
        list_pool([v.lower() for v in catalog.PRODUCT_MATERIALS]),
        list_pool([v.lower() for v in catalog.PRODUCT_NOUNS]),
        list_pool(business.PRODUCT_FEATURES),
    ]

    def sample(b: Batch) -> pa.Array:
        words = [p.strings(b.rng, b.size) for p in (adjectives, *rest)]
        return join(*words, sep=" ")

    return sample


pool_type("Movie Title", CATEGORY, "titles of well-known films", business.MOVIES)


@lru_cache(maxsize=1)
def _genre_combinations() -> Pool:
    """Every set of 1-3 genres, "Comedy|Drama" style; one genre half the time, three a fifth."""
    genres = business.MOVIE_GENRES
    values: list[str] = []
    weights: list[float] = []
    for k, share in ((1, 0.5), (2, 0.3), (3, 0.2)):
        combos = list(itertools.combinations(genres, k))
        values += ["|".join(c) for c in combos]
        weights += [share / len(combos)] * len(combos)
    return list_pool(values, weights)


@field_type("Movie Genres", CATEGORY, '1 to 3 genres joined by "|", like "Comedy|Romance"')
def movie_genres(opts: Options, ctx: Context) -> Sampler:
    pool = _genre_combinations()
    return lambda b: pool.sample(b.rng, b.size)
