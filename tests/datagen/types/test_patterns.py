"""Pattern types: masks, regular expressions, GUIDs and hashes honour their options."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.errors import SchemaError
from tests.datagen.support import sample


def test_character_sequence_mask() -> None:
    values = sample("Character Sequence", format="^^@@-##*$%\\#")
    assert all(
        re.fullmatch(r"[A-Z]{2}[a-z]{2}-\d{2}[A-Za-z0-9][a-z0-9][A-Z0-9]#", v) for v in values
    )


def test_digit_sequence_and_unicode_literals() -> None:
    assert all(re.fullmatch(r"№\d{4}/\d\d", v) for v in sample("Digit Sequence", format="№####/##"))


@pytest.mark.parametrize(
    "pattern",
    [
        r"[A-Z]{3}[0-9]{3}",
        r"(ab|cd)+-\d{2,4}",
        r"^\w+@(foo|bar)\.com$",
        r"(\d)-\1",
        r"[^a-z]{5}",
        r"x*y?z+",
        r"[α-ω]{3}",
        r"(?:[a-f0-9]{2}:){3}[a-f0-9]{2}",
        r"\s\S\D\W.",
    ],
)
def test_regular_expression_values_match(pattern: str) -> None:
    values = sample("Regular Expression", 300, value=pattern)
    assert all(re.fullmatch(pattern, v) for v in values)


@settings(max_examples=40, deadline=None)
@given(st.from_regex(r"[a-c0-9]{0,3}(\[[a-z]-[z]\]|[a-c]|\\d)\{[0-3]\}[x-z]?", fullmatch=True))
def test_generated_patterns_round_trip(pattern: str) -> None:
    assert all(re.fullmatch(pattern, v) for v in sample("Regular Expression", 20, value=pattern))


@pytest.mark.parametrize("pattern", ["[a-", "(?<=a)b", "a(?!b)"])
def test_bad_regular_expression_is_a_schema_error(pattern: str) -> None:
    with pytest.raises(SchemaError, match="'value'"):
        sample("Regular Expression", 5, value=pattern)


def test_guids_are_unique() -> None:
    values = sample("GUID", 5000)
    assert len(set(values)) == 5000
