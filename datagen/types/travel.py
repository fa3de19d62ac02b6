"""Travel types: airports (codes, names, places, positions), airlines and flights."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datagen.columns import join, number_table
from datagen.types.lists import travel
from datagen.types.options import Options
from datagen.types.pools import family_indices, record_column, record_type
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__: list[str] = []

CATEGORY = "Travel"

_AIRPORT_FIELDS = (
    ("Code", "IATA airport codes: LAX, LHR, SIN ...", 0),
    ("GPS Code", "ICAO codes: KLAX, EGLL ...", 1),
    ("Name", "airport names", 2),
    ("Municipality", "the city the airport serves", 3),
    ("Country Code", "ISO 3166 alpha-2 code of the airport's country", 4),
    ("Region Code", "ISO 3166-2 region code: US-CA, GB-ENG ...", 5),
    ("Continent", "continent code: NA, SA, EU, AS, AF, OC", 6),
    ("Elevation (Feet)", "elevation in feet", 7),
    ("Latitude", "latitude in degrees", 8),
    ("Longitude", "longitude in degrees", 9),
)
for _field, _summary, _j in _AIRPORT_FIELDS:
    record_type(f"Airport {_field}", CATEGORY, _summary, "airport",
                [a[_j] for a in travel.AIRPORTS])  # fmt: skip


def _flight_airports(ctx: Context, b: Batch, end: str) -> np.ndarray:
    """Airport rows of a flight's ends: the arrival is never the departure airport."""
    n = len(travel.AIRPORTS)
    departure = family_indices(ctx, "flight departure", b, n)
    if end == "Departure":
        return departure
    return (departure + 1 + family_indices(ctx, "flight arrival", b, n - 1)) % n


def _flight_type(end: str, field: str, summary: str, index: int) -> None:
    codes, distinct = record_column([a[index] for a in travel.AIRPORTS])

    @field_type(f"Flight {end} {field}", CATEGORY, summary)
    def build(opts: Options, ctx: Context) -> Sampler:
        def sample(b: Batch) -> pa.Array:
            picked = codes[_flight_airports(ctx, b, end)]
            return pa.DictionaryArray.from_arrays(pa.array(picked), distinct)

        return sample


for _end in ("Departure", "Arrival"):
    for _field, _summary, _j in (
        ("Airport Code", "IATA code of the flight's {} airport", 0),
        ("Airport", "name of the flight's {} airport", 2),
        ("City", "the flight's {} city", 3),
        ("Country", "ISO code of the flight's {} country", 4),
    ):
        _flight_type(_end, _field, _summary.format(_end.lower()), _j)

for _j, (_name, _summary) in enumerate(
    (
        ("Flight Airline Code", "IATA airline codes: AA, BA, LH ..."),
        ("Flight Airline Name", "the name of the row's airline"),
    )
):
    record_type(_name, CATEGORY, _summary, "airline", [a[_j] for a in travel.AIRLINES])


@field_type("Flight Number", CATEGORY, "the row's airline code and 1-4 digits: BA117, UA2304 ...")
def flight_number(opts: Options, ctx: Context) -> Sampler:
    numbers = number_table(9999, 0, 1)
    codes, distinct = record_column([a[0] for a in travel.AIRLINES])

    def sample(b: Batch) -> pa.Array:
        airline = distinct.take(pa.array(codes[family_indices(ctx, "airline", b, len(codes))]))
        digits = np.minimum(b.rng.geometric(0.0008, b.size), 9999) - 1
        return join(airline, numbers.take(digits))

    return sample


@field_type("Flight Departure Time", CATEGORY, "24-hour departure times on a 5-minute grid")
def departure_time(opts: Options, ctx: Context) -> Sampler:
    hours, minutes = number_table(24, 2), number_table(60, 2)

    def sample(b: Batch) -> pa.Array:
        slot = b.rng.integers(0, 24 * 12, b.size)
        return join(hours.take(slot // 12), ":", minutes.take(slot % 12 * 5))

    return sample


@field_type(
    "Flight Duration (Hours)",
    CATEGORY,
    "flight durations in hours, one decimal",
    ("min=0.5", "max=16"),
)
def flight_duration(opts: Options, ctx: Context) -> Sampler:
    lo, hi = opts.span("min", "max", 0.5, 16)
    if lo < 0:
        raise opts.fail("min", f"must not be negative, got {lo:g}")
    return lambda b: pa.array(np.round(b.rng.uniform(lo, hi, b.size), 1).clip(lo, hi))
