"""The bytes of a seed do not change with the encoder: digests written by the version before
issue #11's record assembly (pieces gathered with one take), for presets and a schema that
reach every path of it (pools with blanks, numbers of every kind, emails, nested objects,
arrays, formulas, escaped text, local and random time zones)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import faker
import numpy as np
import pytest

from datagen import generate

# Pools come from Faker and draws from numpy: other versions may make other (valid) data.
MADE_WITH = ("40.63.0", "2.")

SCHEMA = [
    {"name": "id", "type": "Row Number"},
    {"name": "n", "type": "Number", "min": -50, "max": 50, "decimals": 1, "percentBlank": 10},
    {"name": "m", "type": "Number", "min": 0, "max": 2000000000},
    {"name": "x", "type": "Normal Distribution", "decimals": 3},
    {"name": "e", "type": "Exponential Distribution"},
    {"name": "first", "type": "First Name", "percentBlank": 20},
    {"name": "last", "type": "Last Name"},
    {"name": "email", "type": "Email Address"},
    {"name": "ok", "type": "Boolean", "percentBlank": 5},
    {"name": "addr.city", "type": "City"},
    {"name": "addr.geo.lat", "type": "Latitude"},
    {
        "name": "when",
        "type": "Datetime",
        "min": "01/01/2020",
        "max": "12/31/2024",
        "format": "%FT%T.%LZ",
    },
    {"name": "day", "type": "Date", "format": "%-d/%-m/%Y"},
    {"name": "tz", "type": "Datetime", "format": "%FT%T%:z", "timeZone": "random"},
    {"name": "naughty", "type": "Naughty String"},
    {"name": "friends", "type": "JSON Array", "minItems": 0, "maxItems": 3},
    {"name": "friends.name", "type": "First Name"},
    {"name": "friends.age", "type": "Number", "min": 18, "max": 80},
    {"name": "total", "type": "Formula", "value": "round(n * 1.2, 2)"},
    {"name": "mail2", "type": "Formula", "value": "lower(first) + '@x.com'"},
]

DIGESTS = {
    "users": "aa2354cbe15470460ce3afb2031b8024ff8b1ff43e8cf98d734ac1ff4f1d9eda",
    "orders": "6e4bbd2c9b512659244cc66f025d1ac9adfcb6631d0e850f30f73a71d1a00ae5",
    "events": "1218bf94f7be506ab38109630a63ae7726dcc4a92242b97139471d90f3c2ca42",
    "mix": "e1c893049779d5a3f53e9d62597b001e44080798c8087018c3fdcbd92882ab43",
}


@pytest.mark.skipif(
    MADE_WITH[0] != faker.VERSION or not np.__version__.startswith(MADE_WITH[1]),
    reason="digests were made with faker 40.63.0 and numpy 2",
)
@pytest.mark.parametrize("name", sorted(DIGESTS))
@pytest.mark.parametrize("workers", [1, 2])
def test_same_bytes_as_before(tmp_path: Path, name: str, workers: int) -> None:
    out = tmp_path / "out.jsonl"
    source = {"schema": SCHEMA} if name == "mix" else {"preset": name}
    generate(out, rows=60_000, seed=7, workers=workers, **source)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == DIGESTS[name]
