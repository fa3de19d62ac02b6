"""Basic types honour their options: ranges, decimals, sequences, list styles and weights."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest

from datagen.errors import SchemaError
from tests.datagen.support import sample


def test_number_stays_in_range_with_decimals() -> None:
    values = sample("Number", min=1, max=1000, decimals=2)
    assert all(1 <= v <= 1000 and round(v, 2) == v for v in values)
    assert any(v != int(v) for v in values)


def test_number_without_decimals_is_whole_and_inclusive() -> None:
    values = sample("Number", 5000, min=3, max=5)
    assert set(values) == {3, 4, 5}


def test_sequence_start_step_repeat_restart() -> None:
    assert sample("Sequence", 8, start=10, step=5, repeat=2) == [10, 10, 15, 15, 20, 20, 25, 25]
    assert sample("Sequence", 7, start=1, step=1, restart=3) == [1, 2, 3, 1, 2, 3, 1]


def test_row_number_counts_from_one() -> None:
    assert sample("Row Number", 5) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("name", "options", "mean"),
    [
        ("Normal Distribution", {"mean": 50, "stddev": 5}, 50),
        ("Poisson Distribution", {"mean": 4}, 4),
        ("Exponential Distribution", {"lambda": 0.5}, 2),
        ("Binomial Distribution", {"probability": 0.3, "trials": 10}, 3),
        ("Geometric Distribution", {"probability": 0.25}, 4),
    ],
)
def test_distributions_have_the_asked_mean(
    name: str, options: dict[str, float], mean: float
) -> None:
    assert statistics.fmean(sample(name, 20000, **options)) == pytest.approx(mean, rel=0.05)


def test_money_uses_symbol_and_two_decimals() -> None:
    values = sample("Money", min=5, max=10, symbol="€")
    assert all(
        v.startswith("€") and 5 <= float(v[1:]) <= 10 and len(v.split(".")[1]) == 2 for v in values
    )
    assert all(v.startswith("-$") or v.startswith("$") for v in sample("Money", min=-5, max=5))


def test_boolean_is_balanced() -> None:
    assert sum(sample("Boolean", 10000)) == pytest.approx(5000, rel=0.05)


def test_custom_list_styles() -> None:
    assert sample("Custom List", 5, values=["a", "b", "c"], selectionStyle="sequential") == [
        "a",
        "b",
        "c",
        "a",
        "b",
    ]
    counts = Counter(
        sample("Custom List", 20000, values=["x", "y"], selectionStyle="weighted", weights=[9, 1])
    )
    assert counts["x"] / 20000 == pytest.approx(0.9, abs=0.02)
    assert set(sample("Custom List", 200, values=[1, 2, 3])) == {1, 2, 3}
    assert set(sample("Custom List", 100, values="red, green")) == {"red", "green"}


def test_custom_list_mockaroo_distribution_objects() -> None:
    values = sample(
        "Custom List",
        5000,
        values=["a", "b"],
        selectionStyle="custom",
        distribution=[{"frequency": 0}, {"frequency": 1}],
    )
    assert set(values) == {"b"}


@pytest.mark.parametrize(
    ("name", "options", "option"),
    [
        ("Number", {"min": 10, "max": 1}, "'min'"),
        ("Number", {"min": "ten"}, "'min'"),
        ("Number", {"decimals": -1}, "'decimals'"),
        ("Normal Distribution", {"stddev": -1}, "'stddev'"),
        ("Poisson Distribution", {"mean": 0}, "'mean'"),
        ("Sequence", {"repeat": 0}, "'repeat'"),
        ("Custom List", {}, "'values'"),
        ("Custom List", {"values": ["a"], "selectionStyle": "shuffle"}, "'selectionStyle'"),
        (
            "Custom List",
            {"values": ["a", "b"], "selectionStyle": "weighted", "weights": [1]},
            "'weights'",
        ),
        ("Money", {"min": 3, "max": 2}, "'min'"),
    ],
)
def test_bad_options_name_the_option(name: str, options: dict[str, object], option: str) -> None:
    with pytest.raises(SchemaError, match=option):
        sample(name, 10, **options)
