"""The Faker that builds pools draws faster (datagen/types/draws.py) and makes the same values."""

from __future__ import annotations

import os
import subprocess
import sys

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


def test_a_locale_whose_faker_lists_come_from_a_set_draws_the_same_in_every_process(tmp_path):
    """it_IT's cities are a list Faker builds from a set: without sorting, the same seed
    gave other cities under another PYTHONHASHSEED."""
    script = (
        "import sys; from datagen import generate; "
        "generate(sys.argv[1], schema=[{'name': 'c', 'type': 'City'}], rows=200, "
        "locale='it_IT', fmt='csv', workers=1)"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"cities-{hash_seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(set(outputs[0].splitlines())) > 50  # the draws still vary
