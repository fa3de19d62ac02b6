"""Reading a field's type options with Mockaroo's spellings, and saying clearly what is wrong."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

from datagen.errors import SchemaError

__all__ = ["Options"]


class Options:
    """A field's options; accessors validate and raise SchemaError naming field and option."""

    def __init__(self, where: str, values: Mapping[str, Any]) -> None:
        self.where = where
        self.values = values

    def fail(self, key: str, problem: str) -> SchemaError:
        """The error to raise for option `key`."""
        return SchemaError(f"{self.where}: option {key!r} {problem}")

    def has(self, key: str) -> bool:
        return self.values.get(key) is not None

    def number(self, key: str, default: float) -> float:
        value = self.values.get(key, default)
        if value is None:
            value = default
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, f"must be a number, got {value!r}")
        return float(value)

    def integer(
        self, key: str, default: int, *, low: int | None = None, high: int | None = None
    ) -> int:
        value = self.number(key, default)
        if value != int(value):
            raise self.fail(key, f"must be a whole number, got {value!r}")
        if low is not None and value < low:
            raise self.fail(key, f"must be at least {low}, got {int(value)}")
        if high is not None and value > high:
            raise self.fail(key, f"must be at most {high}, got {int(value)}")
        return int(value)

    def positive(self, key: str, default: float) -> float:
        value = self.number(key, default)
        if value <= 0:
            raise self.fail(key, f"must be greater than 0, got {value!r}")
        return value

    def probability(self, key: str, default: float) -> float:
        value = self.number(key, default)
        if not 0 <= value <= 1:
            raise self.fail(key, f"must be between 0 and 1, got {value!r}")
        return value

    def text(self, key: str, default: str) -> str:
        value = self.values.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {value!r}")
        return value

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.text(key, default)
        lowered = {c.lower(): c for c in choices}
        if value.lower() not in lowered:
            raise self.fail(key, f"must be one of {', '.join(map(repr, choices))}, got {value!r}")
        return lowered[value.lower()]

    def flag(self, key: str, default: bool) -> bool:
        value = self.values.get(key, default)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def items(self, key: str) -> list[Any]:
        value = self.values.get(key)
        if isinstance(value, str):
            # Mockaroo's UI takes a comma-separated list; its API a JSON array.
            value = [v.strip() for v in value.split(",")]
        if not isinstance(value, Sequence) or not value:
            raise self.fail(key, f"must be a non-empty list, got {value!r}")
        return list(value)

    def span(self, low_key: str, high_key: str, low: float, high: float) -> tuple[float, float]:
        """Two numeric options that must be ordered, like Number's min and max."""
        lo, hi = self.number(low_key, low), self.number(high_key, high)
        if lo > hi:
            raise self.fail(
                low_key, f"({lo:g}) must not be greater than {high_key!r} ({hi:g}); swap them"
            )
        return lo, hi
