"""Every registered type: its values have the right shape (one check per type, none missing)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from datagen.types import all_types
from tests.datagen.support import sample
from tests.datagen.types.test_catalogue import SHAPES as CATALOGUE


def _match(pattern: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None


def _text(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _luhn(v: str) -> bool:
    digits = [int(c) for c in v][::-1]
    return (
        sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        % 10
        == 0
    )


def _iban(v: str) -> bool:
    moved = v[4:] + v[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _isbn13(v: str) -> bool:
    d = [int(c) for c in v.replace("-", "")]
    return len(d) == 13 and sum(x * (1 if i % 2 == 0 else 3) for i, x in enumerate(d)) % 10 == 0


def _vin(v: str) -> bool:
    values = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", "12345678123457923456789", strict=True))
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(int(values.get(c, c)) * w for c, w in zip(v, weights, strict=True))
    return len(v) == 17 and "0123456789X"[total % 11] == v[8]


def _ip(version: int, cidr: bool) -> Callable[[str], bool]:
    def check(v: str) -> bool:
        net = ipaddress.ip_network(v, strict=True) if cidr else ipaddress.ip_address(v)
        return net.version == version and (("/" in v) == cidr)

    return check


SHAPES: dict[str, Callable[[Any], bool]] = {
    "Row Number": _int,
    "Sequence": _int,
    "Number": _int,
    "Normal Distribution": _num,
    "Poisson Distribution": lambda v: _int(v) and v >= 0,
    "Exponential Distribution": lambda v: _num(v) and v >= 0,
    "Binomial Distribution": lambda v: v in (0, 1),
    "Geometric Distribution": lambda v: _int(v) and v >= 1,
    "Money": _match(r"\$\d+\.\d\d"),
    "Boolean": lambda v: isinstance(v, bool),
    "Custom List": lambda v: v in ("a", "b"),
    "Blank": lambda v: v is None,
    "Frequency": _text,
    "Bank Routing Number": _match(r"\d{9}"),
    "Bank SWIFT BIC": _match(r"[A-Z0-9]{8,11}"),
    "Car Make": _text,
    "Car Model": _text,
    "Car Model Year": lambda v: 1995 <= v <= 2024,
    "Car VIN": _vin,
    "Catch Phrase": _text,
    "Color": _text,
    "Company Name": _text,
    "Credit Card #": lambda v: v.isdigit() and _luhn(v),
    "Credit Card Type": _text,
    "Currency": _text,
    "Currency Code": _match(r"[A-Z]{3}"),
    "Department (Corporate)": _text,
    "Department (Retail)": _text,
    "IBAN": _iban,
    "ISBN": _isbn13,
    "Job Title": _text,
    "Product (Grocery)": _text,
    "Product Category": _text,
    "Product Name": _match(r"\w+ \w+ \w+"),
    "Product Price": lambda v: _num(v) and 1 <= v <= 500,
    "Date": lambda v: bool(datetime.strptime(v, "%m/%d/%Y")),
    "Datetime": lambda v: bool(datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")),
    "Time": _match(r"(1[0-2]|[1-9]):[0-5]\d [AP]M"),
    "App Version": _match(r"\d+\.\d+\.\d+"),
    "Domain Name": _match(r"[\w.-]+\.[a-z]+"),
    "Email Address": _match(r"[a-z0-9.]+@[\w.-]+\.[a-z]+"),
    "File Name": _match(r"\w+\.\w+"),
    "IP Address v4": _ip(4, False),
    "IP Address v4 CIDR": _ip(4, True),
    "IP Address v6": _ip(6, False),
    "IP Address v6 CIDR": _ip(6, True),
    "MAC Address": _match(r"([0-9a-f]{2}:){5}[0-9a-f]{2}"),
    "MIME Type": _match(r"[\w.+-]+/[\w.+-]+"),
    "Top Level Domain": _match(r"[a-z]+"),
    "URL": _match(r"https?://[\w.-]+/\w+/\w+"),
    "User Agent": _match(r"Mozilla/5\.0 .+|Opera/.+"),
    "Address Line 2": _text,
    "City": _text,
    "Country": _text,
    "Country Code": _match(r"[A-Z]{2}"),
    "Language": _text,
    "Language Code": _match(r"[a-z]{2,3}"),
    "Latitude": lambda v: -90 <= v <= 90,
    "Longitude": lambda v: -180 <= v <= 180,
    "Postal Code": _match(r"\d{5}"),
    "State": _text,
    "State (abbrev)": _match(r"[A-Z]{2}"),
    "Street Address": _match(r"\d+ .+"),
    "Street Name": _text,
    "Street Number": _match(r"\d+"),
    "Street Suffix": _text,
    "Time Zone": _match(r"[A-Za-z_]+/[\w/+-]+"),
    "Character Sequence": _match(r"[a-z]{2}\d{2}-[A-Z]{2}"),
    "Digit Sequence": _match(r"\d{3}-\d{2}-\d{4}"),
    "GUID": lambda v: uuid.UUID(v).version == 4 and str(uuid.UUID(v)) == v,
    "Hex Color": _match(r"#[0-9a-f]{6}"),
    "MD5": _match(r"[0-9a-f]{32}"),
    "SHA1": _match(r"[0-9a-f]{40}"),
    "SHA256": _match(r"[0-9a-f]{64}"),
    "MongoDB ObjectID": _match(r"[0-9a-f]{24}"),
    "Regular Expression": _match(r"[A-Z]{3}-\d{4}"),
    "Short Hex Color": _match(r"#[0-9a-f]{3}"),
    "First Name": _text,
    "First Name (Female)": _text,
    "First Name (Male)": _text,
    "Full Name": _match(r"\S+ \S.*"),
    "Gender": _text,
    "Gender (Binary)": lambda v: v in ("Male", "Female"),
    "Gender (abbrev)": lambda v: v in ("M", "F"),
    "Last Name": _text,
    "Password": _match(r"[A-Za-z0-9]{8,12}"),
    "Phone": _match(r"\d{3}-\d{3}-\d{4}"),
    "SSN": _match(r"\d{3}-\d{2}-\d{4}"),
    "Suffix": _text,
    "Title": _text,
    "Username": _match(r"[a-z0-9.]+"),
    "Words": _match(r"[A-Za-z]+( [A-Za-z]+){4,9}"),
    "Sentences": _match(r"([A-Z][A-Za-z ]+\.)( [A-Z][A-Za-z ]+\.){0,2}"),
    "Paragraphs": _match(
        r"[A-Z][A-Za-z ]+\.( [A-Z][A-Za-z ]+\.)*(\n[A-Z][A-Za-z ]+\.( [A-Z][A-Za-z ]+\.)*){0,2}"
    ),
}


def test_every_type_has_a_shape_check() -> None:
    """Every type of datagen/types (here or in test_catalogue) has a shape check."""
    ours = [t.name for t in all_types() if t.build.__module__.startswith("datagen.types.")]
    assert sorted(SHAPES | CATALOGUE) == sorted(ours)
    assert not set(SHAPES) & set(CATALOGUE)


def test_at_least_sixty_types() -> None:
    assert len(all_types()) >= 60


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_values_have_the_type_shape(name: str) -> None:
    options = {"values": ["a", "b"]} if name == "Custom List" else {}
    values = sample(name, 500, **options)
    assert len(values) == 500
    bad = [v for v in values if not SHAPES[name](v)]
    assert not bad, f"{name}: {bad[:3]}"


@pytest.mark.parametrize("name", ["Full Name", "City", "Email Address", "GUID", "Words", "Phone"])
def test_values_vary(name: str) -> None:
    assert len(set(sample(name, 500))) > 100
