"""Emails made of the same record's names, as Mockaroo makes them (on by default).

When a record has a first-name field and a last-name field beside an Email Address field,
the email is built from them: ann.lee@, alee@, annlee@, ann_lee@, ann.lee42@ or alee7@ a
free-mail or company-like domain. Names are folded to ASCII lower case (José -> jose); a
record whose names are blank, or fold to nothing (a script without Latin letters), keeps the
Email Address type's own value. A schema turns this off with `"emailsFromNames": false`
(`{"fields": [...], "emailsFromNames": false}`), as does `--independent-emails`
(`emails_from_names=False` in Python).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import Column
from datagen.layout import Layout
from datagen.pieces import Gather, assemble
from datagen.types.names import email_domain_pool

__all__ = ["EMAIL_TYPE", "derive_emails", "name_fields"]

EMAIL_TYPE = "Email Address"
# (first part, separator, number?) of each style, and how often it comes up
_STYLES = (("first", ".", False), ("initial", "", False), ("first", "", False),
           ("first", "_", False), ("first", ".", True), ("initial", "", True))  # fmt: skip
_WEIGHTS = np.array([30, 25, 10, 10, 10, 15], dtype=np.float64)
_CDF = np.cumsum(_WEIGHTS) / _WEIGHTS.sum()


def name_fields(layout: Layout, email: int) -> tuple[int, int] | None:
    """(first name slot, last name slot) of the email's record or element, if it has both."""
    slot = layout.slots[email]
    parent = slot.path.rpartition(".")[0]

    def pick(prefix: str) -> int | None:
        candidates = [i for i, s in enumerate(layout.slots)
                      if s.level == slot.level and s.spec.type.startswith(prefix)
                      and not s.structural]  # fmt: skip
        same = [i for i in candidates if layout.slots[i].path.rpartition(".")[0] == parent]
        found = same or candidates
        return found[0] if found else None

    first, last = pick("First Name"), pick("Last Name")
    return (first, last) if first is not None and last is not None else None


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


# folded dictionaries by the memory of the dictionary they fold (a pool's values are the same
# buffers in every chunk); each entry holds its dictionary, so that memory cannot be reused
_FOLDED: dict[tuple[int, ...], tuple[pa.Array, pa.Array, np.ndarray]] = {}
_HEADS: dict[tuple[int, ...], pa.Array] = {}
_SUFFIXES = pa.array(["@", *(f"{i}@" for i in range(100))])


def _memory(array: pa.Array) -> tuple[int, ...]:
    return (array.offset, len(array), *(b.address if b is not None else 0 for b in array.buffers()))


def _folded(dictionary: pa.Array) -> tuple[tuple[int, ...], pa.Array, np.ndarray]:
    """ASCII logins of a dictionary's names (made once per process for a pool), and whether
    each folds to anything."""
    key = _memory(dictionary)
    if key not in _FOLDED:
        if len(_FOLDED) > 64:
            _FOLDED.clear()
            _HEADS.clear()
        folded = [_fold(v) if v else "" for v in dictionary.to_pylist()]
        _FOLDED[key] = (
            dictionary,
            pa.array(folded, pa.string()),
            np.array([bool(f) for f in folded]),
        )
    _, logins, ok = _FOLDED[key]
    return key, logins, ok


def _heads(dictionary: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Each first name's login head in each style ("ann.", "a", "ann", "ann_" ...), name-major,
    and whether the name folds to anything."""
    key, logins, ok = _folded(dictionary)
    if key not in _HEADS:
        heads = [(f if part == "first" else f[:1]) + sep
                 for f in logins.to_pylist() for part, sep, _ in _STYLES]  # fmt: skip
        _HEADS[key] = pa.array(heads, pa.string())
    return _HEADS[key], ok


def _encoded(values: pa.Array) -> pa.DictionaryArray:
    if pa.types.is_dictionary(values.type):
        return values
    return values.cast(pa.string()).dictionary_encode()


def derive_emails(
    first: pa.Array, last: pa.Array, own: Callable[[], pa.Array], rng: np.random.Generator,
    locale: str, seed: int,
) -> Column:  # fmt: skip
    """Emails from the names; rows without usable names keep `own()` (the type's values,
    made only when some row needs them).

    Each part is one gather from a table made once per name pool: the first name's head in
    the row's style, the last name, "<number>@" (or "@"), the domain. When every row's names
    are usable the column stays those pieces, for the record's assemble (datagen.pieces).
    """
    n = len(first)
    f, ln = _encoded(first), _encoded(last)
    heads, first_ok = _heads(f.dictionary)
    _, lasts, last_ok = _folded(ln.dictionary)
    style = np.searchsorted(_CDF, rng.random(n), side="right").clip(0, len(_STYLES) - 1)
    fi = np.asarray(pc.fill_null(f.indices, 0), np.int64)
    li = np.asarray(pc.fill_null(ln.indices, 0), np.int64)
    numbered = np.array([s[2] for s in _STYLES])[style]
    suffix = np.where(numbered, rng.integers(0, 100, n) + 1, 0)
    domains = email_domain_pool(locale, seed)
    parts = (
        Gather(heads, fi * len(_STYLES) + style),
        Gather(lasts, li),
        Gather(_SUFFIXES, suffix),
        Gather(domains.values, domains.indices(rng, n)),
    )
    usable = first_ok[fi] & last_ok[li] & np.asarray(f.is_valid()) & np.asarray(ln.is_valid())
    if usable.all():
        return Column(parts=parts, rows=n)
    others = own()
    if pa.types.is_dictionary(others.type):
        others = others.dictionary_decode()
    return Column(pc.if_else(pa.array(usable), assemble(parts, n), others))
