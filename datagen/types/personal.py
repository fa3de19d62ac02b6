"""Personal types: names, gender, title, username, password, phone, SSN (from Faker's data)."""

from __future__ import annotations

import string
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import from_matrix, join, number_table
from datagen.types.lists import people
from datagen.types.names import first_names, last_names, login_pool
from datagen.types.options import Options
from datagen.types.patterns import mask_sampler, slot_matrix
from datagen.types.pools import Pool, element_pool, faker_pool, list_pool, pool_type
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__: list[str] = []


@field_type("First Name", "Personal", "first names, weighted as Faker weights them")
def first_name(opts: Options, ctx: Context) -> Sampler:
    pool = first_names(ctx.locale)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("First Name (Male)", "Personal", "male first names")
def first_name_male(opts: Options, ctx: Context) -> Sampler:
    pool = first_names(ctx.locale, "male")
    return lambda b: pool.sample(b.rng, b.size)


@field_type("First Name (Female)", "Personal", "female first names")
def first_name_female(opts: Options, ctx: Context) -> Sampler:
    pool = first_names(ctx.locale, "female")
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Last Name", "Personal", "last names, weighted as Faker weights them")
def last_name(opts: Options, ctx: Context) -> Sampler:
    pool = last_names(ctx.locale)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Full Name", "Personal", "first and last name")
def full_name(opts: Options, ctx: Context) -> Sampler:
    first, last = first_names(ctx.locale), last_names(ctx.locale)
    return lambda b: join(first.strings(b.rng, b.size), " ", last.strings(b.rng, b.size))


_GENDERS = [
    "Male",
    "Female",
    "Non-binary",
    "Genderfluid",
    "Agender",
    "Bigender",
    "Genderqueer",
    "Polygender",
]
_GENDER_WEIGHTS = [47, 47, 1, 1, 1, 1, 1, 1]


@field_type("Gender", "Personal", "Male, Female, and a few other identities")
def gender(opts: Options, ctx: Context) -> Sampler:
    pool = list_pool(_GENDERS, _GENDER_WEIGHTS)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Gender (Binary)", "Personal", "Male or Female")
def gender_binary(opts: Options, ctx: Context) -> Sampler:
    pool = list_pool(["Male", "Female"])
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Gender (abbrev)", "Personal", "M or F")
def gender_abbrev(opts: Options, ctx: Context) -> Sampler:
    pool = list_pool(["M", "F"])
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Title", "Personal", "Mr., Mrs., Dr. ... (Faker's prefixes)")
def title(opts: Options, ctx: Context) -> Sampler:
    pool = faker_pool(ctx.locale, ctx.seed, "prefix", 256)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Suffix", "Personal", "Jr., Sr., PhD ... (Faker's suffixes)")
def suffix(opts: Options, ctx: Context) -> Sampler:
    pool = faker_pool(ctx.locale, ctx.seed, "suffix", 256)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Username", "Personal", "jsmith, john.smith, smithj42 ...")
def username(opts: Options, ctx: Context) -> Sampler:
    pool = login_pool(ctx.locale, ctx.seed)
    numbers = number_table(100)

    def sample(b: Batch) -> pa.Array:
        suffix = pc.if_else(
            pa.array(b.rng.random(b.size) < 0.3), numbers.take(b.rng.integers(0, 100, b.size)), ""
        )
        return join(pool.strings(b.rng, b.size), suffix)

    return sample


_CLASSES = {
    "upper": string.ascii_uppercase,
    "lower": string.ascii_lowercase,
    "numbers": string.digits,
    "symbols": "!@#$%^&*()-_=+?",
}


@field_type(
    "Password",
    "Personal",
    "random passwords with at least the given counts per class",
    ("minLength=8", "upper=1", "lower=1", "numbers=1", "symbols=0"),
)
def password(opts: Options, ctx: Context) -> Sampler:
    mins = {k: opts.integer(k, 0 if k == "symbols" else 1, low=0, high=64) for k in _CLASSES}
    length = max(opts.integer("minLength", 8, low=1, high=256), sum(mins.values()))
    allowed = "".join(c for k, c in _CLASSES.items() if mins[k] > 0 or k != "symbols")
    tables = [
        np.frombuffer(_CLASSES[k].encode(), np.uint8) for k, m in mins.items() for _ in range(m)
    ]
    anyc = np.frombuffer(allowed.encode(), np.uint8)

    def sample(b: Batch) -> pa.Array:
        width = length + 4
        mat = anyc[b.rng.integers(0, len(anyc), (b.size, width))]
        for j, table in enumerate(tables):
            mat[:, j] = table[b.rng.integers(0, len(table), b.size)]
        lengths = b.rng.integers(length, width + 1, b.size)
        # shuffle each row's first `length` characters so required ones are not always first
        keys = b.rng.random((b.size, width)) + (np.arange(width)[None, :] >= lengths[:, None])
        mat = np.take_along_axis(mat, np.argsort(keys, axis=1), axis=1)
        return from_matrix(mat, lengths)

    return sample


@field_type("Phone", "Personal", "phone numbers from a # mask", ("format=###-###-####",))
def phone(opts: Options, ctx: Context) -> Sampler:
    return mask_sampler(opts.text("format", "###-###-####"))


@field_type("SSN", "Personal", "US social security numbers ###-##-####")
def ssn(opts: Options, ctx: Context) -> Sampler:
    return mask_sampler("###-##-####")


pool_type("Race", "Personal", "US Census race and origin categories", people.RACES)
pool_type("University", "Personal", "university names", people.UNIVERSITIES)
pool_type("LinkedIn Skill", "Personal", "professional skills (Project Management, SQL ...)",
          people.SKILLS)  # fmt: skip
pool_type("Gender (Facebook)", "Personal", "Facebook's 2014 custom gender options",
          people.FACEBOOK_GENDERS)  # fmt: skip

EUROPEAN_LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "sv_SE", "pt_PT",
                    "cs_CZ", "da_DK", "fi_FI", "hu_HU", "no_NO", "en_GB", "en_IE")  # fmt: skip


@lru_cache(maxsize=1)
def _european_first_names() -> Pool:
    names = sorted({n for loc in EUROPEAN_LOCALES for n in first_names(loc).values.to_pylist()})
    return list_pool(names)


@field_type("First Name (European)", "Personal", "first names from 15 European locales")
def first_name_european(opts: Options, ctx: Context) -> Sampler:
    pool = _european_first_names()
    return lambda b: pool.sample(b.rng, b.size)


def _chinese_names(attribute: str, romanized: str, method: str, script: str) -> Pool:
    if script == "pinyin":
        return element_pool("zh_CN", romanized, method)
    return element_pool("zh_CN", attribute, method)


def _chinese_type(name: str, attribute: str, romanized: str, method: str) -> None:
    @field_type(
        name,
        "Personal",
        f"Chinese {name.split()[0].lower()} names, in pinyin or Chinese characters",
        ("script=pinyin|hanzi",),
    )
    def build(opts: Options, ctx: Context) -> Sampler:
        script = opts.choice("script", ("pinyin", "hanzi"), "pinyin")
        pool = _chinese_names(attribute, romanized, method, script)
        return lambda b: pool.sample(b.rng, b.size)


for _name, _attr, _rom, _method in (
    ("Family Name (Chinese)", "last_names", "last_romanized_names", "last_name"),
    ("Given Name (Chinese)", "first_names", "first_romanized_names", "first_name"),
):
    _chinese_type(_name, _attr, _rom, _method)


_BCRYPT = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@field_type(
    "Password Hash",
    "Personal",
    "bcrypt-shaped hashes: $2a$, the cost, 22 characters of salt and 31 of hash",
    ("cost=10",),
)
def password_hash(opts: Options, ctx: Context) -> Sampler:
    cost = opts.integer("cost", 10, low=4, high=31)
    head = f"$2a${cost:02d}$"
    # the salt's last character encodes 4 bits and the hash's 8: bcrypt's base64 limits them
    slots = [_BCRYPT] * 21 + [_BCRYPT[::16]] + [_BCRYPT] * 30 + [_BCRYPT[::4]]

    def sample(b: Batch) -> pa.Array:
        return join(head, from_matrix(slot_matrix(b.rng, b.size, slots)))

    return sample
