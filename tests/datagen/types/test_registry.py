"""Type lookup: canonical names, forgiving case, and unknown names that suggest the closest."""

from __future__ import annotations

import pytest

from datagen.errors import SchemaError
from datagen.types import lookup, refused_types, registry
from datagen.types.registry import refuse


def test_lookup_forgives_case_and_spacing() -> None:
    assert lookup("first  name", "f").name == "First Name"
    assert lookup("UUID", "f").name == "GUID"
    assert lookup("Department", "f").name == "Department (Corporate)"


def test_unknown_type_lists_closest_names() -> None:
    with pytest.raises(SchemaError, match=r"fields\[3\].*unknown type 'Frist Name'.*'First Name'"):
        lookup("Frist Name", "fields[3] 'x'")


@pytest.fixture
def own_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refusals made by a test are forgotten after it."""
    monkeypatch.setattr(registry, "_REFUSED", dict(registry._REFUSED))


@pytest.mark.usefixtures("own_refusals")
def test_refused_type_names_its_reason() -> None:
    refuse("Hosted Thing", "it needs Mockaroo's servers")
    assert refused_types()["Hosted Thing"] == "it needs Mockaroo's servers"
    with pytest.raises(SchemaError, match=r"'hosted  thing' is not supported.*Mockaroo's servers"):
        lookup("hosted  thing", "fields[0] 'x'")


@pytest.mark.usefixtures("own_refusals")
def test_a_registered_type_is_never_refused() -> None:
    refuse("First Name", "never")
    assert "First Name" not in refused_types()
    assert lookup("First Name", "f").name == "First Name"


def test_refused_types_are_sorted_and_unregistered() -> None:
    names = list(refused_types())
    assert names == sorted(names, key=str.lower)
    for name in names:
        with pytest.raises(SchemaError, match="is not supported by datagen"):
            lookup(name, "f")
