"""Commerce types: currencies, cards, IBAN, companies, jobs, products, ISBN, cars, colours."""

from __future__ import annotations

import string

import numpy as np
import pyarrow as pa

from datagen.columns import from_matrix, join, number_table
from datagen.types import catalog
from datagen.types.options import Options
from datagen.types.pools import Pool, element_pool, faker_type, list_pool, provider_faker
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["luhn_digit"]

for _name, _summary, _method, _size, _aliases in (
    ("Currency", "currency names", "currency_name", 1024, ()),
    ("Currency Code", "ISO 4217 currency codes", "currency_code", 1024, ()),
    ("Company Name", "company names", "company", 2048, ()),
    ("Job Title", "job titles", "job", 2048, ()),
    ("Catch Phrase", "company catch phrases", "catch_phrase", 2048, ()),
    ("Bank SWIFT BIC", "SWIFT/BIC codes", "swift", 2048, ()),
    ("Bank Routing Number", "ABA routing numbers", "aba", 2048, ()),
):
    faker_type(_name, "Commerce", _summary, _method, _size, _aliases)


def _list_type(
    name: str, summary: str, values: tuple[str, ...], aliases: tuple[str, ...] = ()
) -> None:
    @field_type(name, "Commerce", summary, aliases=aliases)
    def build(opts: Options, ctx: Context) -> Sampler:
        pool = list_pool(values)
        return lambda b: pool.sample(b.rng, b.size)


_list_type(
    "Department (Corporate)",
    "Accounting, Engineering, Sales ...",
    catalog.DEPARTMENTS_CORPORATE,
    ("Department",),
)
_list_type("Department (Retail)", "Books, Garden, Toys ...", catalog.DEPARTMENTS_RETAIL)
_list_type("Product Category", "product categories", catalog.PRODUCT_CATEGORIES)
_list_type("Product (Grocery)", "grocery items", catalog.GROCERIES)
_list_type("Frequency", "Never, Once, Daily, Weekly ...", catalog.FREQUENCIES)


@field_type(
    "Product Name", "Commerce", '"Ergonomic Steel Chair"-style product names', aliases=("Product",)
)
def product_name(opts: Options, ctx: Context) -> Sampler:
    parts = [
        list_pool(p)
        for p in (catalog.PRODUCT_ADJECTIVES, catalog.PRODUCT_MATERIALS, catalog.PRODUCT_NOUNS)
    ]
    return lambda b: join(*(p.strings(b.rng, b.size) for p in parts), sep=" ")


@field_type("Product Price", "Commerce", "prices with two decimals", ("min=1", "max=500"))
def product_price(opts: Options, ctx: Context) -> Sampler:
    lo, hi = opts.span("min", "max", 1, 500)
    return lambda b: pa.array(np.round(b.rng.uniform(lo, hi, b.size), 2))


@field_type("Color", "Commerce", "colour names (Faker's web colours)")
def color(opts: Options, ctx: Context) -> Sampler:
    pool = element_pool(ctx.locale, "all_colors", "color_name")
    return lambda b: pool.sample(b.rng, b.size)


# (name, weight, prefixes, length)
_CARDS = (
    ("visa", 40, ("4",), 16),
    ("mastercard", 30, ("51", "52", "53", "54", "55"), 16),
    ("americanexpress", 15, ("34", "37"), 15),
    ("discover", 8, ("6011", "65"), 16),
    ("jcb", 4, ("3528", "3589"), 16),
    ("diners-club-international", 3, ("36",), 14),
)


def luhn_digit(payload: np.ndarray) -> np.ndarray:
    """Luhn check digits for an (n, k) matrix of digit values."""
    doubled = payload[:, ::-1].astype(np.int64)
    doubled[:, 0::2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (10 - doubled.sum(axis=1) % 10) % 10


def _card_numbers(
    rng: np.random.Generator, prefixes: tuple[str, ...], length: int, n: int
) -> pa.Array:
    mat = rng.integers(0, 10, (n, length), dtype=np.int64)
    choice = rng.integers(0, len(prefixes), n)
    for i, prefix in enumerate(prefixes):
        rows = choice == i
        mat[np.ix_(rows, np.arange(len(prefix)))] = [int(c) for c in prefix]
    mat[:, -1] = luhn_digit(mat[:, :-1])
    return from_matrix((mat + 48).astype(np.uint8))


@field_type("Credit Card #", "Commerce", "Luhn-valid card numbers of the common networks")
def credit_card(opts: Options, ctx: Context) -> Sampler:
    kinds = list_pool([c[0] for c in _CARDS], [c[1] for c in _CARDS])

    def sample(b: Batch) -> pa.Array:
        which = kinds.indices(b.rng, b.size)
        parts, order = [], []
        for i, (_, _, prefixes, length) in enumerate(_CARDS):
            rows = np.flatnonzero(which == i)
            parts.append(_card_numbers(b.rng, prefixes, length, len(rows)))
            order.append(rows)
        inverse = np.empty(b.size, dtype=np.int64)
        inverse[np.concatenate(order)] = np.arange(b.size)
        return pa.concat_arrays(parts).take(inverse)

    return sample


@field_type("Credit Card Type", "Commerce", "visa, mastercard, americanexpress ...")
def credit_card_type(opts: Options, ctx: Context) -> Sampler:
    pool = list_pool([c[0] for c in _CARDS], [c[1] for c in _CARDS])
    return lambda b: pool.sample(b.rng, b.size)


def _bank_format(locale: str) -> tuple[str, str]:
    fake = provider_faker(locale, "iban")
    for provider in fake.providers:
        if hasattr(provider, "bban_format") and hasattr(provider, "country_code"):
            return provider.bban_format, provider.country_code
    return "????##############", "GB"


@field_type("IBAN", "Commerce", "IBANs with valid mod-97 check digits (country from the locale)")
def iban(opts: Options, ctx: Context) -> Sampler:
    bban, country = _bank_format(ctx.locale)
    letters = np.frombuffer(string.ascii_uppercase.encode(), np.uint8)

    def sample(b: Batch) -> pa.Array:
        mat = np.empty((b.size, len(bban)), dtype=np.uint8)
        acc = np.zeros(b.size, dtype=np.int64)
        for j, slot in enumerate(bban):
            if slot == "?":
                mat[:, j] = letters[b.rng.integers(0, 26, b.size)]
                acc = (acc * 100 + (mat[:, j].astype(np.int64) - 55)) % 97
            else:
                mat[:, j] = b.rng.integers(48, 58, b.size)
                acc = (acc * 10 + (mat[:, j].astype(np.int64) - 48)) % 97
        for ch in country:
            acc = (acc * 100 + ord(ch) - 55) % 97
        check = 98 - (acc * 100) % 97
        return join(country, number_table(100, 2).take(check), from_matrix(mat))

    return sample


@field_type("ISBN", "Commerce", "ISBN-13 like 978-1-2345-6789-7, valid check digit")
def isbn(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        body = np.concatenate(
            [np.tile([9, 7, 8], (b.size, 1)), b.rng.integers(0, 10, (b.size, 9))], axis=1
        )
        check = (10 - (body * np.tile([1, 3], 6)).sum(axis=1) % 10) % 10
        text = (np.concatenate([body, check[:, None]], axis=1) + 48).astype(np.uint8)
        out = np.full((b.size, 17), ord("-"), dtype=np.uint8)
        for src, dst, width in ((0, 0, 3), (3, 4, 1), (4, 6, 4), (8, 11, 4), (12, 16, 1)):
            out[:, dst : dst + width] = text[:, src : src + width]
        return from_matrix(out)

    return sample


def _car_pools() -> tuple[Pool, Pool]:
    makes = list_pool(list(catalog.CARS), [w for w, _ in catalog.CARS.values()])
    pairs = [(m, w / len(models)) for w, models in catalog.CARS.values() for m in models]
    return makes, list_pool([p[0] for p in pairs], [p[1] for p in pairs])


@field_type("Car Make", "Commerce", "car makes, weighted by market share")
def car_make(opts: Options, ctx: Context) -> Sampler:
    pool = _car_pools()[0]
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Car Model", "Commerce", "car models")
def car_model(opts: Options, ctx: Context) -> Sampler:
    pool = _car_pools()[1]
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Car Model Year", "Commerce", "model years", ("min=1995", "max=2024"))
def car_model_year(opts: Options, ctx: Context) -> Sampler:
    lo, hi = opts.span("min", "max", 1995, 2024)
    return lambda b: pa.array(b.rng.integers(int(lo), int(hi) + 1, b.size, dtype=np.int64))


_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# ISO 3779 transliteration: letters to the digit they count as in the check sum
_VIN_LETTERS = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", "12345678123457923456789", strict=True))
_VIN_VALUES = np.array([int(_VIN_LETTERS.get(c, c)) for c in _VIN_CHARS], dtype=np.int64)
_VIN_WEIGHTS = np.array([8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)


@field_type("Car VIN", "Commerce", "17-character VINs with a valid check digit")
def car_vin(opts: Options, ctx: Context) -> Sampler:
    chars = np.frombuffer(_VIN_CHARS.encode(), np.uint8)
    checks = np.frombuffer(b"0123456789X", np.uint8)

    def sample(b: Batch) -> pa.Array:
        picks = b.rng.integers(0, len(chars), (b.size, 17))
        check = (_VIN_VALUES[picks] * _VIN_WEIGHTS).sum(axis=1) % 11
        mat = chars[picks]
        mat[:, 8] = checks[check]
        return from_matrix(mat)

    return sample
