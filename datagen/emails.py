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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join, number_table
from datagen.layout import Layout
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


_FOLDED: dict[int, tuple[pa.Array, pa.Array]] = {}


def _folded(values: pa.Array) -> pa.Array:
    """ASCII logins of names; a pool's dictionary is folded once per process."""
    encoded = values if pa.types.is_dictionary(values.type) else values.dictionary_encode()
    dictionary = encoded.dictionary
    cached = _FOLDED.get(id(dictionary))
    if cached is None or cached[0] is not dictionary:
        folded = pa.array([_fold(v) for v in dictionary.to_pylist()], pa.string())
        if len(_FOLDED) > 64:
            _FOLDED.clear()
        cached = _FOLDED[id(dictionary)] = (dictionary, folded)
    return pc.fill_null(cached[1].take(encoded.indices), "")


def derive_emails(
    first: pa.Array, last: pa.Array, own: pa.Array, rng: np.random.Generator,
    locale: str, seed: int,
) -> pa.Array:  # fmt: skip
    """Emails from the names; rows without usable names keep `own` (the type's values)."""
    n = len(own)
    f, ln = _folded(first), _folded(last)
    style = np.searchsorted(_CDF, rng.random(n), side="right").clip(0, len(_STYLES) - 1)
    initial = np.array([s[0] == "initial" for s in _STYLES])[style]
    head = pc.if_else(pa.array(initial), pc.utf8_slice_codeunits(f, 0, 1), f)
    sep = pa.array([s[1] for s in _STYLES]).take(pa.array(style))
    numbered = np.array([s[2] for s in _STYLES])[style]
    number = pc.if_else(pa.array(numbered), number_table(100).take(rng.integers(0, 100, n)), "")
    domains = email_domain_pool(locale, seed).strings(rng, n)
    emails = join(head, sep, ln, number, "@", domains)
    usable = pc.and_(pc.not_equal(f, ""), pc.not_equal(ln, ""))
    if pa.types.is_dictionary(own.type):
        own = own.dictionary_decode()
    return pc.if_else(usable, emails, own)
