"""Basic types: row numbers, sequences, numbers, distributions, money, booleans, lists, blanks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join, number_table
from datagen.types.options import Options
from datagen.types.pools import list_pool
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__: list[str] = []


def _rounded(values: np.ndarray, decimals: int) -> pa.Array:
    if decimals <= 0:
        return pa.array(np.round(values).astype(np.int64))
    return pa.array(np.round(values, decimals))


@field_type("Row Number", "Basic", "1, 2, 3 ... the record's position in the file")
def row_number(opts: Options, ctx: Context) -> Sampler:
    return lambda b: pa.array(b.positions() + 1)


@field_type(
    "Sequence",
    "Basic",
    "start, start+step, ... each value repeated `repeat` times",
    ("start=1", "step=1", "repeat=1", "restart=none (value after which it starts over)"),
)
def sequence(opts: Options, ctx: Context) -> Sampler:
    start, step = opts.number("start", 1), opts.number("step", 1)
    repeat = opts.integer("repeat", 1, low=1)
    cycle = 0
    restart_key = "restart" if opts.has("restart") else "restartAt"
    if opts.has(restart_key):
        restart = opts.number(restart_key, 0)
        if step == 0 or (restart - start) / step < 0:
            raise opts.fail(
                restart_key, f"({restart:g}) is never reached from start {start:g} by step {step:g}"
            )
        cycle = math.floor((restart - start) / step) + 1
    integral = start == int(start) and step == int(step)

    def sample(b: Batch) -> pa.Array:
        n = b.positions() // repeat
        if cycle:
            n = n % cycle
        values = start + step * n
        return pa.array(values.astype(np.int64)) if integral else pa.array(np.round(values, 10))

    return sample


@field_type(
    "Number", "Basic", "uniform number between min and max", ("min=1", "max=100", "decimals=0")
)
def number(opts: Options, ctx: Context) -> Sampler:
    lo, hi = opts.span("min", "max", 1, 100)
    decimals = opts.integer("decimals", 0, low=0, high=12)
    if decimals == 0:
        ilo, ihi = math.ceil(lo), math.floor(hi)
        if ilo > ihi:
            raise opts.fail(
                "min", f"and 'max' ({lo:g}..{hi:g}) contain no whole number; set 'decimals'"
            )
        return lambda b: pa.array(b.rng.integers(ilo, ihi + 1, b.size, dtype=np.int64))
    return lambda b: _rounded(b.rng.uniform(lo, hi, b.size).clip(lo, hi), decimals)


@field_type(
    "Normal Distribution",
    "Basic",
    "normally distributed numbers",
    ("mean=0", "stddev=1", "decimals=2"),
)
def normal(opts: Options, ctx: Context) -> Sampler:
    mean, sd = opts.number("mean", 0), opts.number("stddev", 1)
    if sd < 0:
        raise opts.fail("stddev", f"must not be negative, got {sd:g}")
    decimals = opts.integer("decimals", 2, low=0, high=12)
    return lambda b: _rounded(b.rng.normal(mean, sd, b.size), decimals)


@field_type("Poisson Distribution", "Basic", "Poisson-distributed whole numbers", ("mean=1",))
def poisson(opts: Options, ctx: Context) -> Sampler:
    mean = opts.positive("mean", 1)
    return lambda b: pa.array(b.rng.poisson(mean, b.size).astype(np.int64))


@field_type(
    "Exponential Distribution",
    "Basic",
    "exponentially distributed numbers",
    ("lambda=1", "decimals=2"),
)
def exponential(opts: Options, ctx: Context) -> Sampler:
    rate = opts.positive("lambda", 1)
    decimals = opts.integer("decimals", 2, low=0, high=12)
    return lambda b: _rounded(b.rng.exponential(1 / rate, b.size), decimals)


@field_type(
    "Binomial Distribution", "Basic", "successes in `trials` tries", ("probability=0.5", "trials=1")
)
def binomial(opts: Options, ctx: Context) -> Sampler:
    p = opts.probability("probability", 0.5)
    trials = opts.integer("trials", 1, low=1)
    return lambda b: pa.array(b.rng.binomial(trials, p, b.size).astype(np.int64))


@field_type(
    "Geometric Distribution", "Basic", "tries until the first success", ("probability=0.5",)
)
def geometric(opts: Options, ctx: Context) -> Sampler:
    p = opts.probability("probability", 0.5)
    if p == 0:
        raise opts.fail("probability", "must be greater than 0")
    return lambda b: pa.array(b.rng.geometric(p, b.size).astype(np.int64))


@field_type("Money", "Basic", 'amounts like "$12.34"', ("min=0", "max=1000", "symbol=$"))
def money(opts: Options, ctx: Context) -> Sampler:
    lo, hi = opts.span("min", "max", 0, 1000)
    symbol = opts.text("symbol", "$")
    symbol = "" if symbol.lower() == "none" else symbol
    cents_table = number_table(100, 2)

    def sample(b: Batch) -> pa.Array:
        cents = np.round(b.rng.uniform(lo, hi, b.size) * 100).astype(np.int64)
        whole = pa.array(np.abs(cents) // 100).cast(pa.string())
        text = join(symbol, whole, ".", cents_table.take(np.abs(cents) % 100))
        if lo >= 0:
            return text
        return pc.if_else(pa.array(cents < 0), join("-", text), text)

    return sample


@field_type("Boolean", "Basic", "true or false")
def boolean(opts: Options, ctx: Context) -> Sampler:
    return lambda b: pa.array(b.rng.random(b.size) < 0.5)


@field_type("Blank", "Basic", "always null (empty in CSV)")
def blank(opts: Options, ctx: Context) -> Sampler:
    return lambda b: pa.nulls(b.size)


def _typed_values(values: list[Any]) -> pa.Array:
    """Custom List values keep their JSON type when they all share one, else become strings."""
    if all(isinstance(v, bool) for v in values):
        return pa.array(values, pa.bool_())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.array(values, pa.int64())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pa.array(values, pa.float64())
    return pa.array([v if isinstance(v, str) else str(v) for v in values], pa.string())


def _weights(opts: Options, count: int) -> list[float]:
    key = "weights" if opts.has("weights") else "distribution"
    raw = opts.items(key)
    weights = [w.get("frequency") if isinstance(w, dict) else w for w in raw]
    if len(weights) != count:
        raise opts.fail(
            key, f"has {len(weights)} weights for {count} values; give one weight per value"
        )
    try:
        numbers = [float(w) for w in weights]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise opts.fail(key, f"must hold numbers, got {weights!r}") from None
    if any(w < 0 or not math.isfinite(w) for w in numbers) or sum(numbers) <= 0:
        raise opts.fail(key, "must be non-negative numbers with a positive sum")
    return numbers


@field_type(
    "Custom List",
    "Basic",
    "values picked from your list",
    ("values=[...]", "selectionStyle=random|sequential|weighted", "weights=[...] (weighted)"),
)
def custom_list(opts: Options, ctx: Context) -> Sampler:
    values = opts.items("values")
    style = opts.choice("selectionStyle", ("random", "sequential", "weighted", "custom"), "random")
    typed = _typed_values(values)
    if style == "sequential":
        return lambda b: typed.take(b.positions() % len(typed))
    weights = _weights(opts, len(values)) if style in ("weighted", "custom") else None
    pool = list_pool(["x"] * len(values), weights)
    if pa.types.is_string(typed.type):
        pool = list_pool(typed.to_pylist(), weights)
        return lambda b: pool.sample(b.rng, b.size)
    return lambda b: typed.take(pool.indices(b.rng, b.size))
