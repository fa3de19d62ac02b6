"""Health types: NHS numbers, ICD-9/ICD-10 codes, HCPCS, drugs and NDCs, MBIs, hospitals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import from_matrix, join
from datagen.types.commerce import luhn_digit
from datagen.types.lists import health
from datagen.types.options import Options
from datagen.types.patterns import slot_matrix
from datagen.types.pools import faker_type, list_pool, pool_type, record_type
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["nhs_check_digits", "npi_check_digits"]

CATEGORY = "Health"


def nhs_check_digits(body: np.ndarray) -> np.ndarray:
    """NHS mod-11 check digits of an (n, 9) digit matrix; 10 marks a body with no valid one."""
    total = (body.astype(np.int64) * np.arange(10, 1, -1)).sum(axis=1)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


@field_type("NHS Number", CATEGORY, "UK NHS numbers like 401 023 2137, valid mod-11 check digit")
def nhs_number(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        body = b.rng.integers(0, 10, (b.size, 9), dtype=np.int64)
        body[:, 0] = np.array([4, 6, 7])[b.rng.integers(0, 3, b.size)]
        check = nhs_check_digits(body)
        # a body whose check would be 10 is never issued: bump its last digit (weight 2),
        # which moves the sum by 2 (or by -18 when it wraps) and so leaves 10 behind
        bad = check == 10
        body[bad, 8] = (body[bad, 8] + 1) % 10
        check = nhs_check_digits(body)
        text = (np.concatenate([body, check[:, None]], axis=1) + 48).astype(np.uint8)
        out = np.full((b.size, 12), ord(" "), dtype=np.uint8)
        out[:, 0:3], out[:, 4:7], out[:, 8:12] = text[:, 0:3], text[:, 3:6], text[:, 6:10]
        return from_matrix(out)

    return sample


def _code_types(prefix: str, kind: str, rows: tuple[tuple[str, str, str], ...]) -> None:
    """Register `<prefix> <kind> Code`, `... Desc (Short)` and `... Desc (Long)`: one family,
    so a row's code and descriptions agree."""
    short = {"Diagnosis": "Dx", "Procedure": "Proc"}[kind]
    hyphen = prefix.replace("ICD", "ICD-")
    family = f"{prefix} {kind}"
    names = (
        (f"{prefix} {kind} Code", f"{prefix} {kind.lower()} codes"),
        (f"{prefix} {short} Desc (Short)", f"short titles of the row's {prefix} code"),
        (f"{prefix} {short} Desc (Long)", f"full titles of the row's {prefix} code"),
    )
    for j, (name, summary) in enumerate(names):
        aliases = (name.replace(prefix, hyphen),)
        record_type(name, CATEGORY, summary, family, [r[j] for r in rows], aliases)


_code_types("ICD10", "Diagnosis", health.ICD10_DX)
_code_types("ICD10", "Procedure", health.ICD10_PROC)
_code_types("ICD9", "Diagnosis", health.ICD9_DX)
_code_types("ICD9", "Procedure", health.ICD9_PROC)

record_type("HCPCS Code", CATEGORY, "HCPCS Level II codes like J1100", "HCPCS",
            [h[0] for h in health.HCPCS])  # fmt: skip
record_type("HCPCS Name", CATEGORY, "the name of the row's HCPCS code", "HCPCS",
            [h[1] for h in health.HCPCS])  # fmt: skip
record_type("Drug Name (Brand)", CATEGORY, "brand-name drugs (Lipitor, Zoloft ...)", "drug",
            [d[0] for d in health.DRUGS])  # fmt: skip
record_type("Drug Name (Generic)", CATEGORY, "the generic name of the row's brand", "drug",
            [d[1] for d in health.DRUGS])  # fmt: skip
pool_type("Drug Company", CATEGORY, "drug makers and labelers", health.DRUG_COMPANIES)

# NDC: a 10-digit labeler-product-package code in one of three segment layouts
_NDC_LAYOUTS = ((4, 4, 2), (5, 3, 2), (5, 4, 1))
NDC_FORMATS = ("product", "package", "11-digit")


def _ndc_slots(widths: tuple[int, ...]) -> list[bytes]:
    slots: list[bytes] = []
    for k, w in enumerate(widths):
        slots += [b"0123456789"] * w + ([b"-"] if k < len(widths) - 1 else [])
    return slots


def _ndc(rng: np.random.Generator, n: int, fmt: str) -> pa.Array:
    if fmt == "11-digit":
        # the billing form 5-4-2: the layout's short segment gets a leading zero
        mat = slot_matrix(rng, n, _ndc_slots((5, 4, 2)))
        pick = rng.integers(0, 3, n)
        for i, pos in enumerate((0, 6, 11)):
            mat[pick == i, pos] = ord("0")
        return from_matrix(mat)
    cut = 2 if fmt == "product" else 3
    layouts = [from_matrix(slot_matrix(rng, n, _ndc_slots(w[:cut]))) for w in _NDC_LAYOUTS]
    return pc.choose(pa.array(rng.integers(0, 3, n, dtype=np.int8)), *layouts)


@field_type(
    "FDA NDC Code",
    CATEGORY,
    "National Drug Codes: 4-4, 5-3 or 5-4 product codes, or full 10/11-digit package codes",
    ("format=product|package|11-digit",),
    aliases=("NDC",),
)
def fda_ndc(opts: Options, ctx: Context) -> Sampler:
    fmt = opts.choice("format", NDC_FORMATS, "product")
    return lambda b: _ndc(b.rng, b.size, fmt)


# MBI: positions 2, 5, 8 and 9 letters (never S, L, O, I, B, Z), 1 a digit 1-9, 3 and 6 either
_MBI_ALPHA = b"ACDEFGHJKMNPQRTUVWXY"
_MBI_DIGIT = b"0123456789"
_MBI_SLOTS = [b"123456789", _MBI_ALPHA, _MBI_ALPHA + _MBI_DIGIT, _MBI_DIGIT, _MBI_ALPHA,
              _MBI_ALPHA + _MBI_DIGIT, _MBI_DIGIT, _MBI_ALPHA, _MBI_ALPHA, _MBI_DIGIT,
              _MBI_DIGIT]  # fmt: skip


@field_type("Medicare Beneficiary ID", CATEGORY, "11-character MBIs like 1EG4TE5MK73")
def medicare_id(opts: Options, ctx: Context) -> Sampler:
    return lambda b: from_matrix(slot_matrix(b.rng, b.size, _MBI_SLOTS))


def npi_check_digits(body: np.ndarray) -> np.ndarray:
    """NPI check digits: Luhn over the 80840 prefix and the (n, 9) digit matrix."""
    prefix = np.tile(np.array([8, 0, 8, 4, 0], dtype=np.int64), (len(body), 1))
    return luhn_digit(np.concatenate([prefix, body.astype(np.int64)], axis=1))


@field_type("Hospital NPI", CATEGORY, "10-digit National Provider Identifiers, valid check digit")
def hospital_npi(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        body = b.rng.integers(0, 10, (b.size, 9), dtype=np.int64)
        body[:, 0] = b.rng.integers(1, 3, b.size)
        digits = np.concatenate([body, npi_check_digits(body)[:, None]], axis=1)
        return from_matrix((digits + 48).astype(np.uint8))

    return sample


@field_type("Hospital Name", CATEGORY, '"St. Luke\'s Medical Center"-style hospital names')
def hospital_name(opts: Options, ctx: Context) -> Sampler:
    places, kinds = list_pool(health.HOSPITAL_NAMES), list_pool(health.HOSPITAL_KINDS)
    return lambda b: join(places.strings(b.rng, b.size), " ", kinds.strings(b.rng, b.size))


for _name, _summary, _method in (
    ("Hospital City", "hospital cities", "city"),
    ("Hospital State", "hospital state abbreviations", "state_abbr"),
    ("Hospital Postal Code", "hospital postal codes", "postcode"),
    ("Hospital Street Address", "hospital street addresses", "street_address"),
):
    faker_type(_name, CATEGORY, _summary, _method, 1024)
