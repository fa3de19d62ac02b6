"""Formula functions that draw values: random(a, b), generate("Type", option: value ...) and
from_dataset("dataset", "column", key: value).

Each call site draws from its own random stream (seeded by the run's seed, the chunk, the
field and the call's position in the formula), so a formula's values depend only on the
plan, whatever the number of workers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula.functions import NOT_CONSTANT, CallSite, function
from datagen.formula.values import (
    DATE,
    TIME,
    FormulaTypeError,
    Value,
    as_array,
    kind,
    noun,
    numbers,
    plain,
)

__all__: list[str] = []


def _bounds(low: Value, high: Value) -> tuple[Any, Any, str]:
    kinds = {kind(low), kind(high)}
    if kinds <= {"int"}:
        return numbers(plain(low))[0], numbers(plain(high))[0], "int"  # type: ignore[arg-type]
    if kinds <= {"int", "float"}:
        return numbers(plain(low))[0], numbers(plain(high))[0], "float"  # type: ignore[arg-type]
    if kinds <= {"date", "time"}:
        unit = "date" if kinds == {"date"} else "time"
        target = DATE if unit == "date" else TIME
        raw = pa.int32() if unit == "date" else pa.int64()
        lo, hi = (pc.cast(pc.cast(pc.cast(plain(v), target), raw), pa.int64()) for v in (low, high))  # type: ignore[arg-type]
        return numbers(lo)[0], numbers(hi)[0], unit
    raise FormulaTypeError(
        f"random needs two numbers or two dates, got {noun(low)} and {noun(high)}"
    )


@function(
    "random",
    0,
    2,
    "random(1, 10): a whole number from 1 to 10; random(0.5, 2.0) a number; "
    "random(date('1/1/2020'), date('12/31/2020')) a date; random() from 0 to 1",
)
def _random(site: CallSite, low: Value | None = None, high: Value | None = None) -> Value:
    rng = site.rng()
    if low is None:
        return pa.array(rng.random(site.n))
    if high is None:
        raise FormulaTypeError("random needs both bounds: random(low, high)")
    lo, hi, unit = _bounds(low, high)
    if np.any(np.greater(lo, hi)):
        raise FormulaTypeError("random's low bound is above its high bound")
    if unit == "float":
        return pa.array(rng.uniform(lo, hi, site.n))
    values = rng.integers(lo, np.add(hi, 1), site.n, dtype=np.int64)
    if unit == "int":
        return pa.array(values)
    return pa.array(values, pa.int32() if unit == "date" else pa.int64()).cast(
        DATE if unit == "date" else TIME
    )


def _prepare_generate(args: list[Any], kwargs: dict[str, Any], services: Any) -> Any:
    name = args[0]
    if not isinstance(name, str):
        raise FormulaTypeError('generate needs a type name like generate("First Name")')
    if any(v is NOT_CONSTANT for v in kwargs.values()):
        raise FormulaTypeError("generate's options must be constants, like min: 1")
    return services.sampler(name, kwargs)


@function(
    "generate",
    1,
    1,
    'generate("Number", min: 1, max: 10): a value of any datagen type, with its options',
    prepare=_prepare_generate,
    keywords=True,
)
def _generate(site: CallSite, name: Value, **options: Value) -> Value:
    return site.prepared(site.n, site.rng())


def _prepare_from_dataset(args: list[Any], kwargs: dict[str, Any], services: Any) -> Any:
    name, column = args[0], args[1]
    if not isinstance(name, str) or not isinstance(column, str):
        raise FormulaTypeError(
            "from_dataset needs the dataset and column names in quotes: "
            'from_dataset("customers", "name", id: customer_id)'
        )
    if len(kwargs) != 1:
        raise FormulaTypeError(
            "from_dataset needs one join criterion: the dataset's column and this row's value, "
            "like id: customer_id"
        )
    return services.dataset_lookup(name, column, next(iter(kwargs)))


@function(
    "from_dataset",
    2,
    2,
    'from_dataset("customers", "name", id: customer_id): the name of the --dataset row whose '
    "id is customer_id (nil when none is)",
    prepare=_prepare_from_dataset,
    keywords=True,
)
def _from_dataset(site: CallSite, name: Value, column: Value, **criteria: Value) -> Value:
    (value,) = criteria.values()
    return site.prepared(as_array(plain(value), site.n))  # type: ignore[arg-type]
