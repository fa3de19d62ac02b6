"""Type lookup: canonical names, forgiving case, and unknown names that suggest the closest."""

from __future__ import annotations

import pytest

from datagen.errors import SchemaError
from datagen.types import lookup


def test_lookup_forgives_case_and_spacing() -> None:
    assert lookup("first  name", "f").name == "First Name"
    assert lookup("UUID", "f").name == "GUID"
    assert lookup("Department", "f").name == "Department (Corporate)"


def test_unknown_type_lists_closest_names() -> None:
    with pytest.raises(SchemaError, match=r"fields\[3\].*unknown type 'Frist Name'.*'First Name'"):
        lookup("Frist Name", "fields[3] 'x'")


def test_mockaroo_type_we_do_not_support() -> None:
    with pytest.raises(SchemaError, match="'Formula' is not supported"):
        lookup("Formula", "fields[0] 'x'")
