"""Internet types: emails, domains, URLs, IP and MAC addresses, user agents, MIME types, files."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datagen.columns import from_matrix, hex_matrix, join, number_table
from datagen.types.names import domain_pool, email_domain_pool, login_pool
from datagen.types.options import Options
from datagen.types.pools import element_pool, faker_type, list_pool
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__: list[str] = []

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
