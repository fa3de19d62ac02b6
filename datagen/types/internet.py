"""Internet types: emails, domains, URLs, IP and MAC addresses, user agents, MIME types, files."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import from_matrix, hex_matrix, join, number_table
from datagen.types.lists import business, devices
from datagen.types.names import domain_pool, email_domain_pool, login_names, login_pool
from datagen.types.options import Options
from datagen.types.pools import (
    Pool,
    derive_seed,
    element_pool,
    faker_type,
    list_pool,
    record_type,
)
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["png_bytes", "svg_bytes"]

for _name, _summary, _method, _size in (
    ("Top Level Domain", "com, net, org ...", "tld", 256),
    ("User Agent", "browser user agent strings", "user_agent", 2048),
    ("MIME Type", "MIME types", "mime_type", 1024),
    ("File Name", "file names with extensions", "file_name", 2048),
):
    faker_type(_name, "Internet", _summary, _method, _size)


@field_type("Domain Name", "Internet", "company-like domain names")
def domain_name(opts: Options, ctx: Context) -> Sampler:
    pool = domain_pool(ctx.locale, ctx.seed)
    return lambda b: pool.sample(b.rng, b.size)


@field_type("Email Address", "Internet", "emails made of a username and a domain")
def email(opts: Options, ctx: Context) -> Sampler:
    logins, domains = login_pool(ctx.locale, ctx.seed), email_domain_pool(ctx.locale, ctx.seed)
    return lambda b: join(logins.strings(b.rng, b.size), "@", domains.strings(b.rng, b.size))


@field_type(
    "URL",
    "Internet",
    "web addresses",
    ("includeProtocol=true", "includeHost=true", "includePath=true", "includeQueryString=false"),
)
def url(opts: Options, ctx: Context) -> Sampler:
    parts = {
        k: opts.flag(k, k != "includeQueryString")
        for k in ("includeProtocol", "includeHost", "includePath", "includeQueryString")
    }
    if not any(parts.values()):
        raise opts.fail(
            "includeHost", "and the other include* options are all false; keep at least one"
        )
    hosts = domain_pool(ctx.locale, ctx.seed)
    words = element_pool(ctx.locale, "word_list", "word")
    protocols = list_pool(["http://", "https://"], [1, 3])

    def sample(b: Batch) -> pa.Array:
        n, rng = b.size, b.rng
        pieces: list[pa.Array | str] = []
        if parts["includeProtocol"]:
            pieces.append(protocols.strings(rng, n))
        if parts["includeHost"]:
            pieces.append(hosts.strings(rng, n))
        if parts["includePath"]:
            pieces += ["/", words.strings(rng, n), "/", words.strings(rng, n)]
        if parts["includeQueryString"]:
            pieces += [
                "?",
                words.strings(rng, n),
                "=",
                number_table(1000).take(rng.integers(0, 1000, n)),
            ]
        return join(*pieces)

    return sample


def _masked(raw: np.ndarray, prefix: np.ndarray) -> np.ndarray:
    """Zero the host bits of each row's address so "a.b.c.d/p" names a real network."""
    keep = np.clip(prefix[:, None] - 8 * np.arange(raw.shape[1])[None, :], 0, 8)
    mask = ((0xFF00 >> keep) & 0xFF).astype(np.uint8)
    return raw & mask


def _ipv4(b: Batch, cidr: bool) -> pa.Array:
    raw = b.rng.integers(0, 256, (b.size, 4), dtype=np.uint8)
    raw[:, 0] = b.rng.integers(1, 224, b.size)
    prefix = b.rng.integers(8, 31, b.size)
    if cidr:
        raw = _masked(raw, prefix)
    table = number_table(256)
    octets = [table.take(raw[:, j]) for j in range(4)]
    text = join(octets[0], ".", octets[1], ".", octets[2], ".", octets[3])
    return join(text, "/", pa.array(prefix).cast(pa.string())) if cidr else text


def _ipv6(b: Batch, cidr: bool) -> pa.Array:
    raw = b.rng.integers(0, 256, (b.size, 16), dtype=np.uint8)
    prefix = b.rng.integers(16, 65, b.size)
    if cidr:
        raw = _masked(raw, prefix)
    hexed = hex_matrix(raw)
    out = np.full((b.size, 39), ord(":"), dtype=np.uint8)
    for g in range(8):
        out[:, g * 5 : g * 5 + 4] = hexed[:, g * 4 : g * 4 + 4]
    text = from_matrix(out)
    return join(text, "/", pa.array(prefix).cast(pa.string())) if cidr else text


@field_type("IP Address v4", "Internet", "dotted-quad IPv4 addresses")
def ipv4(opts: Options, ctx: Context) -> Sampler:
    return lambda b: _ipv4(b, cidr=False)


@field_type("IP Address v4 CIDR", "Internet", "IPv4 networks like 10.20.0.0/16")
def ipv4_cidr(opts: Options, ctx: Context) -> Sampler:
    return lambda b: _ipv4(b, cidr=True)


@field_type("IP Address v6", "Internet", "IPv6 addresses, eight 4-digit hex groups")
def ipv6(opts: Options, ctx: Context) -> Sampler:
    return lambda b: _ipv6(b, cidr=False)


@field_type("IP Address v6 CIDR", "Internet", "IPv6 networks with a /16 to /64 prefix")
def ipv6_cidr(opts: Options, ctx: Context) -> Sampler:
    return lambda b: _ipv6(b, cidr=True)


@field_type("MAC Address", "Internet", "colon-separated MAC addresses")
def mac(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        hexed = hex_matrix(b.rng.integers(0, 256, (b.size, 6), dtype=np.uint8))
        out = np.full((b.size, 17), ord(":"), dtype=np.uint8)
        for g in range(6):
            out[:, g * 3 : g * 3 + 2] = hexed[:, g * 2 : g * 2 + 2]
        return from_matrix(out)

    return sample


@field_type("App Version", "Internet", "semantic versions like 2.13.4")
def app_version(opts: Options, ctx: Context) -> Sampler:
    def sample(b: Batch) -> pa.Array:
        table = number_table(100)
        major = table.take(b.rng.geometric(0.4, b.size).clip(0, 99) - 1)
        minor, patch = (table.take(b.rng.integers(0, 20, b.size)) for _ in range(2))
        return join(major, ".", minor, ".", patch)

    return sample


def _app_names() -> tuple[Pool, Pool]:
    return list_pool(business.APP_HEADS), list_pool(business.APP_TAILS)


@field_type("App Name", "Internet", 'invented app names like "Pixelly" or "Nimbus Pro"')
def app_name(opts: Options, ctx: Context) -> Sampler:
    heads, tails = _app_names()
    return lambda b: join(heads.strings(b.rng, b.size), tails.strings(b.rng, b.size))


@field_type("App Bundle ID", "Internet", 'reverse-domain bundle ids like "com.smith.Pixelly"')
def app_bundle_id(opts: Options, ctx: Context) -> Sampler:
    heads, tails = _app_names()
    _, owners = login_names(ctx.locale)
    tlds = list_pool(["com", "net", "org", "io", "co"], [6, 1, 1, 1, 1])

    def sample(b: Batch) -> pa.Array:
        app = pc.replace_substring(
            join(heads.strings(b.rng, b.size), tails.strings(b.rng, b.size)), " ", ""
        )
        return join(tlds.strings(b.rng, b.size), owners.strings(b.rng, b.size), app, sep=".")

    return sample


def _size_option(opts: Options, key: str, default: str) -> str:
    text = opts.text(key, default).strip().lower()
    parts = text.split("x")
    if len(parts) != 2 or not all(p.isdigit() and 1 <= int(p) <= 4000 for p in parts):
        raise opts.fail(key, f"must look like 50x50 (width x height, 1-4000), got {text!r}")
    return f"{int(parts[0])}x{int(parts[1])}"


@field_type(
    "Avatar",
    "Internet",
    "robohash.org avatar URLs",
    ("size=50x50", "format=png|jpg|bmp", "set=set1|set2|set3|set4|set5"),
)
def avatar(opts: Options, ctx: Context) -> Sampler:
    size = _size_option(opts, "size", "50x50")
    fmt = opts.choice("format", ("png", "jpg", "bmp"), "png")
    robot_set = opts.choice("set", ("set1", "set2", "set3", "set4", "set5"), "set1")
    words = Pool(pc.utf8_lower(element_pool("en_US", "word_list", "word").values))
    query = f".{fmt}?size={size}&set={robot_set}"

    def sample(b: Batch) -> pa.Array:
        name = join(*(words.strings(b.rng, b.size) for _ in range(3)))
        return join("https://robohash.org/", name, query)

    return sample


def _dimensions(opts: Options, lo: int, hi: int, limit: int) -> tuple[int, int, int, int]:
    """minWidth, maxWidth, minHeight, maxHeight: ordered whole numbers in 1..limit."""
    out = []
    for axis in ("Width", "Height"):
        low = opts.integer(f"min{axis}", lo, low=1, high=limit)
        high = opts.integer(f"max{axis}", hi, low=1, high=limit)
        if low > high:
            raise opts.fail(
                f"min{axis}", f"({low}) must not be greater than 'max{axis}' ({high}); swap them"
            )
        out += [low, high]
    return out[0], out[1], out[2], out[3]


# dummyimage.com colour pairs: background/foreground
_DUMMY_COLOURS = ("5fa2dd/ffffff", "dddddd/000000", "ff4444/ffffff", "cc0000/ffffff")


@field_type(
    "Dummy Image URL",
    "Internet",
    "dummyimage.com placeholder image URLs of random sizes",
    ("minWidth=100", "maxWidth=250", "minHeight=100", "maxHeight=250", "format=png|jpg|gif|bmp"),
)
def dummy_image_url(opts: Options, ctx: Context) -> Sampler:
    w_lo, w_hi, h_lo, h_hi = _dimensions(opts, 100, 250, 4000)
    fmt = opts.choice("format", ("png", "jpg", "gif", "bmp"), "png")
    colours = list_pool(list(_DUMMY_COLOURS))
    sizes = number_table(4001)

    def sample(b: Batch) -> pa.Array:
        width = sizes.take(b.rng.integers(w_lo, w_hi + 1, b.size))
        height = sizes.take(b.rng.integers(h_lo, h_hi + 1, b.size))
        tail = join(f".{fmt}/", colours.strings(b.rng, b.size))
        return join("http://dummyimage.com/", width, "x", height, tail)

    return sample


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (8-bit RGB, no interlace)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def svg_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    colour = "#{:02x}{:02x}{:02x}".format(*rgb)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="100%" height="100%" fill="{colour}"/></svg>'
    ).encode()


BASE64_IMAGES = 1024


@field_type(
    "Base64 Image URL",
    "Internet",
    "data: URLs holding a small valid one-colour PNG (or SVG) image",
    ("minWidth=10", "maxWidth=50", "minHeight=10", "maxHeight=50", "format=png|svg"),
)
def base64_image_url(opts: Options, ctx: Context) -> Sampler:
    w_lo, w_hi, h_lo, h_hi = _dimensions(opts, 10, 50, 500)
    fmt = opts.choice("format", ("png", "svg"), "png")
    make, mime = (png_bytes, "image/png") if fmt == "png" else (svg_bytes, "image/svg+xml")
    # a pool of images made once per field: sizes and colours drawn from the run's seed
    rng = np.random.default_rng(derive_seed(ctx.seed, "base64-image", w_lo, w_hi, h_lo, h_hi))
    widths = rng.integers(w_lo, w_hi + 1, BASE64_IMAGES)
    heights = rng.integers(h_lo, h_hi + 1, BASE64_IMAGES)
    colours = rng.integers(0, 256, (BASE64_IMAGES, 3))
    prefix = f"data:{mime};base64,"
    pool = list_pool(
        [
            prefix + base64.b64encode(make(int(w), int(h), (int(r), int(g), int(b)))).decode()
            for w, h, (r, g, b) in zip(widths, heights, colours, strict=True)
        ]
    )
    return lambda b: pool.sample(b.rng, b.size)


for _j, (_name, _summary) in enumerate(
    (
        ("Mobile Device Brand", "Apple, Samsung, Google ..."),
        ("Mobile Device Model", "the model of the row's device: iPhone 13, Pixel 7 ..."),
        ("Mobile Device OS", "the OS it shipped with: iOS 16, Android 13 ..."),
        ("Mobile Device Release Date", "its release date, yyyy-mm-dd"),
    )
):
    record_type(_name, "Internet", _summary, "mobile device", [d[_j] for d in devices.DEVICES])
