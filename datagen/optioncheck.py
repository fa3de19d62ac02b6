"""Unknown schema options: which keys a field's type knows, and the closest one to a typo.

A type knows the options its summary declares (`min=1` declares `min`) and every key its
builder reads, which covers the spellings it accepts besides the declared ones (`restartAt`,
`distribution`). Keys with a null value are skipped: Mockaroo's exports write options that do
not apply to the chosen type as null.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from datagen.errors import SchemaError

__all__ = ["ReadKeys", "check_known", "declared_names"]

_NAME = re.compile(r"[A-Za-z_$@][\w$@]*")


class ReadKeys(Mapping[str, Any]):
    """A field's options that remember which keys the type's builder looked at."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._given = values
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self._given[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return self._given.get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return key in self._given

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


def declared_names(options: Iterable[str]) -> set[str]:
    """Option names of a type's summary entries like "min=1" or "format=12 Hour|24 Hour"."""
    return {m[0] for m in (_NAME.match(o) for o in options) if m}


def check_known(where: str, type_name: str, given: Mapping[str, Any], known: set[str]) -> None:
    """SchemaError for the first given option the type does not know, naming the closest."""
    for key, value in given.items():
        if key in known or value is None:
            continue
        by_lower = {k.lower(): k for k in known}
        close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.5)
        hint = f"; did you mean {by_lower[close[0]]!r}?" if close else ""
        listed = ", ".join(sorted(known)) if known else "none"
        raise SchemaError(
            f"{where}: unknown option {key!r} for type {type_name!r}{hint} (its options: {listed})"
        )
