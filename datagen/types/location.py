"""Location types: addresses, cities, states, countries, coordinates, time zones, languages."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datagen.types.options import Options
from datagen.types.pools import faker_type
from datagen.types.registry import Context, Sampler, field_type

__all__: list[str] = []

for _name, _summary, _method, _size in (
    ("Street Address", "number, street and suffix", "street_address", 2048),
    ("Street Name", "street names", "street_name", 2048),
    ("Street Number", "building numbers", "building_number", 2048),
    ("Street Suffix", "Avenue, Street, Court ...", "street_suffix", 512),
    ("Address Line 2", "Apt. 123, Suite 456 ...", "secondary_address", 2048),
    ("City", "city names", "city", 1024),
    ("State", "states or provinces of the locale", "state", 1024),
    ("State (abbrev)", "state abbreviations", "state_abbr", 1024),
    ("Postal Code", "postal codes of the locale", "postcode", 2048),
    ("Country", "country names", "country", 2048),
    ("Country Code", "ISO 3166 alpha-2 country codes", "country_code", 2048),
    ("Time Zone", "IANA time zone names", "timezone", 2048),
    ("Language", "language names", "language_name", 1024),
    ("Language Code", "ISO 639 language codes", "language_code", 1024),
):
    faker_type(_name, "Location", _summary, _method, _size)


def _coordinate(name: str, limit: float) -> None:
    @field_type(
        name,
        "Location",
        f"uniform {name.lower()} in degrees",
        (f"min=-{limit:g}", f"max={limit:g}", "decimals=6"),
    )
    def build(opts: Options, ctx: Context) -> Sampler:
        lo, hi = opts.span("min", "max", -limit, limit)
        if lo < -limit or hi > limit:
            raise opts.fail("min" if lo < -limit else "max", f"must be within ±{limit:g} degrees")
        decimals = opts.integer("decimals", 6, low=0, high=12)
        return lambda b: pa.array(np.round(b.rng.uniform(lo, hi, b.size), decimals))


_coordinate("Latitude", 90)
_coordinate("Longitude", 180)
