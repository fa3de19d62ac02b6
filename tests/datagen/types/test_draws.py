"""The Faker that builds pools draws faster (datagen/types/draws.py) and makes the same values."""

from __future__ import annotations

import pytest
from faker import Faker

from datagen.types.draws import fast_draws

METHODS = ("city", "name", "first_name", "last_name", "street_address", "company", "job")


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "ja_JP", "fr_FR", "es_ES"])
def test_same_values_as_plain_faker(locale: str) -> None:
    plain, fast = Faker(locale), fast_draws(Faker(locale))
    for method in METHODS:
        plain.seed_instance(11)
        fast.seed_instance(11)
        want = [getattr(plain, method)() for _ in range(300)]
        assert [getattr(fast, method)() for _ in range(300)] == want, method


def test_weighted_lists_are_kept_as_one_tuple() -> None:
    fake = fast_draws(Faker("en_US"))
    provider = next(p for p in fake.providers if hasattr(p, "first_names"))
    assert provider.first_names.values() is provider.first_names.values()
    assert type(provider).first_names is not provider.first_names  # the class's list untouched
    assert Faker("en_US").first_name  # other Faker instances are plain
    assert type(Faker("en_US").random).__name__ == "Random"
