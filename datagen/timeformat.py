"""strftime formats parsed, and the calendar fields of whole columns of timestamps.

`compile_format` parses a Ruby-style format once into tokens (literals and directives);
`Fields` computes, lazily and column-wise, the year, month, hour ... a format uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DAYS", "MONTHS", "NUMERIC", "Directive", "Fields", "Token", "civil", "compile_format"]

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

# Composite directives expand to plain ones before rendering.
_COMPOSITE = {
    "F": "%Y-%m-%d",
    "T": "%H:%M:%S",
    "D": "%m/%d/%y",
    "R": "%H:%M",
    "r": "%I:%M:%S %p",
    "c": "%a %b %e %H:%M:%S %Y",
    "x": "%m/%d/%y",
    "X": "%H:%M:%S",
    "v": "%e-%^b-%Y",
}
# directive -> (field, default width, default pad)
NUMERIC = {
    "Y": ("year", 4, "0"),
    "C": ("century", 2, "0"),
    "y": ("yy", 2, "0"),
    "m": ("month", 2, "0"),
    "d": ("day", 2, "0"),
    "e": ("day", 2, " "),
    "j": ("yday", 3, "0"),
    "H": ("hour", 2, "0"),
    "k": ("hour", 2, " "),
    "I": ("hour12", 2, "0"),
    "l": ("hour12", 2, " "),
    "M": ("minute", 2, "0"),
    "S": ("second", 2, "0"),
    "L": ("milli", 3, "0"),
    "u": ("wday1", 1, "0"),
    "w": ("wday", 1, "0"),
}
_TEXT = {"B", "b", "h", "A", "a", "p", "P", "Z", "z", "s", "N", "n", "t", "%"}


@dataclass(frozen=True, slots=True)
class Directive:
    """One `%` conversion: its letter, flags (`-`, `_`, `0`, `^`, `#`) and `:` count (for %:z)."""

    letter: str
    flags: str = ""
    colons: int = 0


Token = str | Directive


def compile_format(fmt: str) -> tuple[Token, ...]:
    """Parse a strftime format; ValueError names the first directive it cannot render."""
    tokens: list[Token] = []
    i = 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            tokens.append(fmt[i:])
            break
        if j > i:
            tokens.append(fmt[i:j])
        k = j + 1
        while k < len(fmt) and fmt[k] in "-_0^#:":
            k += 1
        if k >= len(fmt):
            raise ValueError(f"format {fmt!r} ends with an incomplete directive")
        letter, flags = fmt[k], fmt[j + 1 : k]
        if letter in _COMPOSITE:
            tokens.extend(compile_format(_COMPOSITE[letter]))
        elif letter in NUMERIC or letter in _TEXT:
            tokens.append(Directive(letter, flags.replace(":", ""), flags.count(":")))
        else:
            raise ValueError(f"format {fmt!r} uses %{letter}, which datagen cannot render")
        i = k + 1
    return tuple(tokens)


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01 (H. Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _days_before_year(year: np.ndarray) -> np.ndarray:
    y = year - 1
    era = y // 400
    yoe = y - era * 400
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + 306 - 719468


class Fields:
    """Calendar fields of local seconds, computed lazily (only what a format uses)."""

    def __init__(self, seconds: np.ndarray, millis: np.ndarray | None) -> None:
        self.seconds = seconds
        self.days = seconds // 86400
        self.sod = seconds - self.days * 86400
        self.millis = millis if millis is not None else np.zeros_like(seconds)
        self._cache: dict[str, np.ndarray] = {}

    def get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def _compute(self, name: str) -> np.ndarray:
        if name in ("year", "month", "day"):
            year, month, day = civil(self.days)
            self._cache.update(year=year, month=month, day=day)
            return self._cache[name]
        derived = {
            "century": lambda: self.get("year") // 100,
            "yy": lambda: self.get("year") % 100,
            "yday": lambda: self.days - _days_before_year(self.get("year")) + 1,
            "hour": lambda: self.sod // 3600,
            "hour12": lambda: (self.sod // 3600 + 11) % 12 + 1,
            "minute": lambda: self.sod // 60 % 60,
            "second": lambda: self.sod % 60,
            "milli": lambda: self.millis,
            "wday": lambda: (self.days + 4) % 7,
            "wday1": lambda: (self.days + 3) % 7 + 1,
        }
        return derived[name]()
