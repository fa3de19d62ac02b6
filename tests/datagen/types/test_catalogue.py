"""The rest of Mockaroo's catalogue: each type's values are valid (check digits, checksums,
formats, decodable images), reproducible from the seed, and each option changes the output."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from datagen import generate
from datagen.errors import SchemaError
from datagen.types import all_types, lookup
from datagen.types.business import EIN_PREFIXES
from datagen.types.lists import business, devices, health, nature, people, travel
from datagen.types.lists import text as lists_text
from tests.datagen.support import sample

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + B58.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b58check(text: str) -> bytes:
    raw = b58decode(text)
    payload, check = raw[:-4], raw[-4:]
    assert hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check, text
    return payload


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def nhs_ok(v: str) -> bool:
    d = [int(c) for c in v.replace(" ", "")]
    check = 11 - sum(x * w for x, w in zip(d[:9], range(10, 1, -1), strict=True)) % 11
    return len(d) == 10 and (0 if check == 11 else check) == d[9]


def lei_ok(v: str) -> bool:
    return len(v) == 20 and v[4:6] == "00" and int("".join(str(int(c, 36)) for c in v)) % 97 == 1


def bitcoin_ok(v: str) -> bool:
    payload = b58check(v)
    return len(payload) == 21 and payload[0] in (0, 5) and v[0] == ("1" if payload[0] == 0 else "3")


def tezos(prefix: str, size: int) -> Callable[[str], bool]:
    def check(v: str) -> bool:
        return v.startswith(prefix) and len(b58check(v)) == size

    return check


def ndc_ok(v: str) -> bool:
    widths = [len(p) for p in v.split("-")]
    return widths in ([4, 4], [5, 3], [5, 4]) and v.replace("-", "").isdigit()


def ulid_ok(v: str) -> bool:
    crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    if len(v) != 26 or any(c not in crockford for c in v):
        return False
    millis = 0
    for c in v[:10]:
        millis = millis * 32 + crockford.index(c)
    return 1_420_070_400_000 <= millis < 1_735_689_600_000


def png_size(v: str) -> tuple[int, int]:
    """Width and height of a data:image/png URL, after checking every chunk's CRC."""
    prefix = "data:image/png;base64,"
    assert v.startswith(prefix)
    data = base64.b64decode(v[len(prefix) :], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    return width, height


def match(pattern: str) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and re.fullmatch(pattern, v) is not None


def one_of(values: Any) -> Callable[[Any], bool]:
    allowed = set(values)
    return lambda v: v in allowed


def column(rows: Any, j: int) -> Callable[[Any], bool]:
    return one_of(r[j] for r in rows)


SHAPES: dict[str, Callable[[Any], bool]] = {
    # Health
    "NHS Number": lambda v: match(r"[467]\d\d \d{3} \d{4}")(v) and nhs_ok(v),
    "ICD10 Diagnosis Code": column(health.ICD10_DX, 0),
    "ICD10 Dx Desc (Short)": column(health.ICD10_DX, 1),
    "ICD10 Dx Desc (Long)": column(health.ICD10_DX, 2),
    "ICD10 Procedure Code": lambda v: (
        match(r"[0-9A-HJ-NP-Z]{7}")(v) and column(health.ICD10_PROC, 0)(v)
    ),
    "ICD10 Proc Desc (Short)": column(health.ICD10_PROC, 1),
    "ICD10 Proc Desc (Long)": column(health.ICD10_PROC, 2),
    "ICD9 Diagnosis Code": lambda v: (
        match(r"(\d{3}|V\d\d)(\.\d{1,2})?")(v) and column(health.ICD9_DX, 0)(v)
    ),
    "ICD9 Dx Desc (Short)": column(health.ICD9_DX, 1),
    "ICD9 Dx Desc (Long)": column(health.ICD9_DX, 2),
    "ICD9 Procedure Code": lambda v: match(r"\d\d\.\d{1,2}")(v) and column(health.ICD9_PROC, 0)(v),
    "ICD9 Proc Desc (Short)": column(health.ICD9_PROC, 1),
    "ICD9 Proc Desc (Long)": column(health.ICD9_PROC, 2),
    "HCPCS Code": lambda v: match(r"[A-V]\d{4}")(v) and column(health.HCPCS, 0)(v),
    "HCPCS Name": column(health.HCPCS, 1),
    "Drug Name (Brand)": column(health.DRUGS, 0),
    "Drug Name (Generic)": column(health.DRUGS, 1),
    "Drug Company": one_of(health.DRUG_COMPANIES),
    "FDA NDC Code": ndc_ok,
    "Medicare Beneficiary ID": match(
        r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
        r"[AC-HJKMNP-RT-Y]{2}\d\d"
    ),
    "Hospital NPI": lambda v: match(r"[12]\d{9}")(v) and luhn_ok("80840" + v),
    "Hospital Name": match(r"[A-Z][\w.' ]+ (Hospital|Center|Clinic)"),
    "Hospital City": lambda v: isinstance(v, str) and v != "",
    "Hospital State": match(r"[A-Z]{2}"),
    "Hospital Postal Code": match(r"\d{5}"),
    "Hospital Street Address": match(r"\d+ .+"),
    # Commerce
    "Stock Symbol": column(business.STOCKS, 0),
    "Stock Name": column(business.STOCKS, 1),
    "Stock Market": one_of(["NASDAQ", "NYSE", "NYSE American"]),
    "Stock Sector": column(business.STOCKS, 3),
    "Stock Industry": column(business.STOCKS, 4),
    "Stock Market Cap": match(r"\$\d+\.\d\d[MB]|n/a"),
    "DUNS Number": lambda v: match(r"\d\d-\d{3}-\d{4}")(v) and luhn_ok(v.replace("-", "")),
    "EIN": lambda v: match(r"\d\d-\d{7}")(v) and v[:2] in EIN_PREFIXES,
    "Bank Name": lambda v: isinstance(v, str) and v != "",
    "Bank City": lambda v: isinstance(v, str) and v != "",
    "Bank State": lambda v: isinstance(v, str) and v != "",
    "Bank Street Address": match(r"\d+ .+"),
    "Bank Country Code": match(r"[A-Z]{2}"),
    "Bank LEI": lambda v: match(r"[0-9A-Z]{18}\d\d")(v) and lei_ok(v),
    "Fake Company Name": match(r"[A-Z][a-z]+"),
    "Buzzword": match(r"[\w/ -]+"),
    "Slogan": match(r"[\w-]+ [\w/-]+ [\w -]+"),
    "Shirt Size": one_of(["XS", "S", "M", "L", "XL", "2XL", "3XL"]),
    "Product Description": match(r"[A-Z][a-z]+ [a-z]+ [a-z]+ [a-z ,-]+"),
    "Product Subcategory": one_of(business.PRODUCT_SUBCATEGORIES),
    "Movie Title": one_of(business.MOVIES),
    "Movie Genres": lambda v: (
        1 <= len(v.split("|")) <= 3
        and len(set(v.split("|"))) == len(v.split("|"))
        and set(v.split("|")) <= set(business.MOVIE_GENRES)
    ),
    # Crypto
    "Bitcoin Address": bitcoin_ok,
    "Ethereum Address": match(r"0x[0-9a-f]{40}"),
    "Tezos Account": tezos("tz1", 23),
    "Tezos Contract": tezos("KT1", 23),
    "Tezos Block": tezos("B", 34),
    "Tezos Operation": tezos("o", 34),
    "Tezos Signature": tezos("sig", 67),
    # Internet
    "App Name": match(r"[A-Z][a-z]+(ly|io|ify|[A-Z][a-z]+| Pro| Go| Plus)?"),
    "App Bundle ID": match(r"(com|net|org|io|co)\.[a-z]+\.[A-Z][A-Za-z]+"),
    "Avatar": match(r"https://robohash\.org/[a-z]+\.png\?size=50x50&set=set1"),
    "Dummy Image URL": lambda v: (
        (m := re.fullmatch(r"http://dummyimage\.com/(\d+)x(\d+)\.png/[0-9a-f]{6}/[0-9a-f]{6}", v))
        is not None
        and 100 <= int(m[1]) <= 250
        and 100 <= int(m[2]) <= 250
    ),
    "Base64 Image URL": lambda v: all(10 <= d <= 50 for d in png_size(v)),
    "Mobile Device Brand": column(devices.DEVICES, 0),
    "Mobile Device Model": column(devices.DEVICES, 1),
    "Mobile Device OS": column(devices.DEVICES, 2),
    "Mobile Device Release Date": match(r"20\d\d-[01]\d-[0-3]\d"),
    # Patterns
    "ULID": ulid_ok,
    "Encrypt": lambda v: len(base64.b64decode(v, validate=True)) in (32, 48, 64, 80, 96),
    # Personal
    "Race": one_of(people.RACES),
    "University": one_of(people.UNIVERSITIES),
    "LinkedIn Skill": one_of(people.SKILLS),
    "Gender (Facebook)": one_of(people.FACEBOOK_GENDERS),
    "First Name (European)": lambda v: isinstance(v, str) and v[:1].isupper(),
    "Family Name (Chinese)": match(r"[A-Z][a-z]+"),
    "Given Name (Chinese)": match(r"[A-Z][a-z]+"),
    "Password Hash": match(r"\$2a\$10\$[./A-Za-z0-9]{21}[.Oeu][./A-Za-z0-9]{30}[.CGKOSWaeimquy26]"),
    # Text
    "Naughty String": one_of(lists_text.NAUGHTY_STRINGS),
    "Nato Phonetic": one_of(lists_text.NATO),
    # Nature
    "Animal Common Name": column(nature.ANIMALS, 0),
    "Animal Scientific Name": lambda v: (
        match(r"[A-Z][a-z]+ [a-z-]+")(v) and column(nature.ANIMALS, 1)(v)
    ),
    "Plant Common Name": column(nature.PLANTS, 0),
    "Plant Scientific Name": column(nature.PLANTS, 1),
    "Plant Family": lambda v: v.endswith("aceae"),
    # Construction
    "Construction Heavy Equipment": lambda v: isinstance(v, str) and v != "",
    "Construction Material": lambda v: isinstance(v, str) and v != "",
    "Construction Role": lambda v: isinstance(v, str) and v != "",
    "Construction Trade": lambda v: isinstance(v, str) and v != "",
    "Construction Subcontract Category": lambda v: isinstance(v, str) and v != "",
    "Construction Standard Cost Code": match(r"\d\d-\d00 - [A-Z][\w ,-]+"),
    # Travel
    "Airport Code": lambda v: match(r"[A-Z]{3}")(v) and column(travel.AIRPORTS, 0)(v),
    "Airport GPS Code": match(r"[A-Z]{4}"),
    "Airport Name": column(travel.AIRPORTS, 2),
    "Airport Municipality": column(travel.AIRPORTS, 3),
    "Airport Country Code": match(r"[A-Z]{2}"),
    "Airport Region Code": match(r"[A-Z]{2}-[A-Z0-9-]{1,5}"),
    "Airport Continent": one_of(["NA", "SA", "EU", "AS", "AF", "OC"]),
    "Airport Elevation (Feet)": lambda v: isinstance(v, int) and -100 < v < 10_000,
    "Airport Latitude": lambda v: isinstance(v, float) and -90 <= v <= 90,
    "Airport Longitude": lambda v: isinstance(v, float) and -180 <= v <= 180,
    "Flight Airline Code": lambda v: match(r"[A-Z0-9]{2}")(v) and column(travel.AIRLINES, 0)(v),
    "Flight Airline Name": column(travel.AIRLINES, 1),
    "Flight Number": match(r"[A-Z0-9]{2}[1-9]\d{0,3}"),
    "Flight Departure Airport Code": column(travel.AIRPORTS, 0),
    "Flight Departure Airport": column(travel.AIRPORTS, 2),
    "Flight Departure City": column(travel.AIRPORTS, 3),
    "Flight Departure Country": column(travel.AIRPORTS, 4),
    "Flight Arrival Airport Code": column(travel.AIRPORTS, 0),
    "Flight Arrival Airport": column(travel.AIRPORTS, 2),
    "Flight Arrival City": column(travel.AIRPORTS, 3),
    "Flight Arrival Country": column(travel.AIRPORTS, 4),
    "Flight Departure Time": match(r"([01]\d|2[0-3]):[0-5][05]"),
    "Flight Duration (Hours)": lambda v: isinstance(v, float) and 0.5 <= v <= 16,
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_values_are_valid(name: str) -> None:
    values = sample(name, 600)
    assert len(values) == 600
    bad = [v for v in values if not SHAPES[name](v)]
    assert not bad, f"{name}: {bad[:3]}"


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_same_seed_same_values_other_seed_others(name: str) -> None:
    first = sample(name, 300, seed=5)
    assert first == sample(name, 300, seed=5)
    if len(set(first)) > 1:
        assert first != sample(name, 300, seed=6)


@pytest.mark.parametrize(
    "name",
    ["NHS Number", "Bitcoin Address", "Bank LEI", "ULID", "Hospital NPI", "Tezos Block",
     "Medicare Beneficiary ID", "DUNS Number", "EIN", "Encrypt", "Password Hash"],
)  # fmt: skip
def test_generated_identifiers_are_almost_all_distinct(name: str) -> None:
    values = sample(name, 2000)
    assert len(set(values)) > 1990


def test_every_row_of_a_family_is_one_record() -> None:
    """A row's fields of one family describe one record (one stock, one code, one flight)."""
    pairs = [
        ("Stock Symbol", "Stock Name", business.STOCKS, 0, 1),
        ("Stock Symbol", "Stock Industry", business.STOCKS, 0, 4),
        ("ICD10 Diagnosis Code", "ICD10 Dx Desc (Long)", health.ICD10_DX, 0, 2),
        ("ICD9 Procedure Code", "ICD9 Proc Desc (Short)", health.ICD9_PROC, 0, 1),
        ("HCPCS Code", "HCPCS Name", health.HCPCS, 0, 1),
        ("Drug Name (Brand)", "Drug Name (Generic)", health.DRUGS, 0, 1),
        ("Mobile Device Model", "Mobile Device OS", devices.DEVICES, 1, 2),
        ("Animal Common Name", "Animal Scientific Name", nature.ANIMALS, 0, 1),
        ("Plant Scientific Name", "Plant Family", nature.PLANTS, 1, 2),
        ("Airport Code", "Airport Municipality", travel.AIRPORTS, 0, 3),
        ("Flight Departure Airport Code", "Flight Departure City", travel.AIRPORTS, 0, 3),
        ("Flight Arrival Airport", "Flight Arrival Country", travel.AIRPORTS, 2, 4),
        ("Flight Airline Code", "Flight Airline Name", travel.AIRLINES, 0, 1),
    ]
    for left, right, rows, i, j in pairs:
        known = {(r[i], r[j]) for r in rows}
        got = list(zip(sample(left, 400), sample(right, 400), strict=True))
        assert set(got) <= known, (left, right)
        assert len(set(got)) > 5


def test_flights_never_arrive_where_they_leave_and_numbers_carry_the_airline() -> None:
    departures, arrivals = (
        sample("Flight Departure Airport Code", 2000),
        sample("Flight Arrival Airport Code", 2000),
    )
    assert all(d != a for d, a in zip(departures, arrivals, strict=True))
    assert len(set(zip(departures, arrivals, strict=True))) > 500
    airlines, numbers = sample("Flight Airline Code", 500), sample("Flight Number", 500)
    assert all(n[:2] == a for a, n in zip(airlines, numbers, strict=True))


def test_families_agree_across_chunks_and_workers(tmp_path: Path, small_chunks: int) -> None:
    schema = [
        {"name": "symbol", "type": "Stock Symbol"},
        {"name": "company", "type": "Stock Name"},
        {"name": "code", "type": "ICD10 Diagnosis Code"},
        {"name": "title", "type": "ICD10 Dx Desc (Long)"},
        {"name": "nhs", "type": "NHS Number"},
        {"name": "btc", "type": "Bitcoin Address"},
    ]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    generate(one, schema=schema, rows=3500, seed=4, workers=1, quiet=True)
    generate(two, schema=schema, rows=3500, seed=4, workers=2, quiet=True)
    assert one.read_bytes() == two.read_bytes()
    records = [json.loads(line) for line in one.read_text().splitlines()]
    stocks = {(s[0], s[1]) for s in business.STOCKS}
    codes = {(c[0], c[2]) for c in health.ICD10_DX}
    assert all((r["symbol"], r["company"]) in stocks for r in records)
    assert all((r["code"], r["title"]) in codes for r in records)
    assert all(nhs_ok(r["nhs"]) and bitcoin_ok(r["btc"]) for r in records)
    assert len({r["btc"] for r in records}) == 3500


# ---- options: each one changes the output, bad values fail naming the option


def test_ndc_formats() -> None:
    package = sample("FDA NDC Code", 500, format="package")
    layouts = {tuple(len(p) for p in v.split("-")) for v in package}
    assert layouts == {(4, 4, 2), (5, 3, 2), (5, 4, 1)}
    billing = sample("NDC", 500, format="11-digit")
    assert all(match(r"\d{5}-\d{4}-\d{2}")(v) for v in billing)
    # each code has exactly one zero-padded segment start, as 10 -> 11 digit conversion gives
    assert all(v[0] == "0" or v[6] == "0" or v[11] == "0" for v in billing)
    assert {tuple(len(p) for p in v.split("-")) for v in sample("NDC", 500)} == {
        (4, 4), (5, 3), (5, 4)
    }  # fmt: skip
    with pytest.raises(SchemaError, match="'format' must be one of"):
        sample("FDA NDC Code", 5, format="12-digit")


def test_avatar_options() -> None:
    values = sample("Avatar", 50, size="300x200", format="jpg", set="set4")
    shape = match(r"https://robohash\.org/[a-z]+\.jpg\?size=300x200&set=set4")
    assert all(shape(v) for v in values)
    for bad in ("300", "0x10", "axb", "5000x10"):
        with pytest.raises(SchemaError, match="'size' must look like 50x50"):
            sample("Avatar", 5, size=bad)
    with pytest.raises(SchemaError, match="'format'"):
        sample("Avatar", 5, format="gif")


def test_dummy_image_url_options() -> None:
    values = sample("Dummy Image URL", 300, minWidth=20, maxWidth=30, minHeight=400,
                    maxHeight=400, format="gif")  # fmt: skip
    sizes = [re.fullmatch(r"http://dummyimage\.com/(\d+)x(\d+)\.gif/\w+/\w+", v) for v in values]
    assert all(m and 20 <= int(m[1]) <= 30 and int(m[2]) == 400 for m in sizes)
    assert {int(m[1]) for m in sizes if m} == set(range(20, 31))
    with pytest.raises(SchemaError, match=r"'minWidth' \(50\) must not be greater than 'maxW"):
        sample("Dummy Image URL", 5, minWidth=50, maxWidth=40)
    with pytest.raises(SchemaError, match="'maxHeight' must be at least 1"):
        sample("Dummy Image URL", 5, maxHeight=0)


def test_base64_image_url_options() -> None:
    sizes = {png_size(v) for v in sample("Base64 Image URL", 200, minWidth=3, maxWidth=3,
                                         minHeight=7, maxHeight=9)}  # fmt: skip
    assert {w for w, _ in sizes} == {3} and {h for _, h in sizes} == {7, 8, 9}
    svg = sample("Base64 Image URL", 20, format="svg", minWidth=5, maxWidth=5)
    for v in svg:
        assert v.startswith("data:image/svg+xml;base64,")
        text = base64.b64decode(v.split(",", 1)[1]).decode()
        assert re.fullmatch(
            r'<svg xmlns="http://www.w3.org/2000/svg" width="5" height="\d+">'
            r'<rect width="100%" height="100%" fill="#[0-9a-f]{6}"/></svg>',
            text,
        )
    with pytest.raises(SchemaError, match="'maxWidth' must be at most 500"):
        sample("Base64 Image URL", 5, maxWidth=501)


def test_encrypt_options() -> None:
    raw = [bytes.fromhex(v) for v in sample("Encrypt", 300, encoding="hex", minLength=0,
                                             maxLength=15)]  # fmt: skip
    assert {len(r) for r in raw} == {32}  # the IV and one padded block
    sizes = {len(base64.b64decode(v)) for v in sample("Encrypt", 500, minLength=16, maxLength=47)}
    assert sizes == {48, 64}
    with pytest.raises(SchemaError, match="'minLength' \\(9\\) must not be greater"):
        sample("Encrypt", 5, minLength=9, maxLength=8)
    with pytest.raises(SchemaError, match="'encoding'"):
        sample("Encrypt", 5, encoding="rot13")


def test_password_hash_cost() -> None:
    values = sample("Password Hash", 20, cost=12)
    assert all(v.startswith("$2a$12$") and len(v) == 60 for v in values)
    with pytest.raises(SchemaError, match="'cost' must be at least 4"):
        sample("Password Hash", 5, cost=3)


def test_chinese_names_in_characters() -> None:
    hanzi = sample("Family Name (Chinese)", 300, script="hanzi")
    assert all(all("\u4e00" <= c <= "\u9fff" for c in v) for v in hanzi)
    assert len(set(hanzi)) > 30
    assert all(all("\u4e00" <= c <= "\u9fff" for c in v) for v in
               sample("Given Name (Chinese)", 50, script="HANZI"))  # fmt: skip
    with pytest.raises(SchemaError, match="'script'"):
        sample("Given Name (Chinese)", 5, script="latin")


def test_flight_duration_bounds() -> None:
    values = sample("Flight Duration (Hours)", 500, min=2, max=3)
    assert all(2 <= v <= 3 and round(v, 1) == v for v in values)
    with pytest.raises(SchemaError, match="'min' \\(4\\) must not be greater than 'max'"):
        sample("Flight Duration (Hours)", 5, min=4, max=3)


def test_weighted_and_spread_pools() -> None:
    sizes = sample("Shirt Size", 20_000)
    assert sizes.count("M") > sizes.count("XS") * 2 > sizes.count("3XL") * 2
    genres = sample("Movie Genres", 20_000)
    counts = [sum(1 for g in genres if g.count("|") == k) for k in range(3)]
    assert counts[0] > counts[1] > counts[2] > 3000
    assert sum(1 for v in sample("Stock Market Cap", 20_000) if v == "n/a") in range(800, 1200)
    assert {v[0] for v in sample("Bitcoin Address", 2000)} == {"1", "3"}


def test_aliases_and_mockaroo_spellings() -> None:
    assert lookup("ICD-10 Diagnosis Code", "f").name == "ICD10 Diagnosis Code"
    assert lookup("icd-9 proc desc (long)", "f").name == "ICD9 Proc Desc (Long)"
    assert lookup("NDC", "f").name == "FDA NDC Code"
    assert lookup("NATO Phonetic", "f").name == "Nato Phonetic"


def test_catalogue_reaches_mockaroo_size() -> None:
    assert len(all_types()) >= 142
