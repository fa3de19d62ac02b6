"""RawJSON: a JSON value kept as the bytes it was read as, written back unchanged.

Jobs that pass records through untouched (latest_by_key, dedupe, filters) need the parsed
record only to look at a few fields. Keeping the input line instead makes every later
stage cheaper: spill files hold one bytes object instead of a dict of strings, reduce tasks
do not rebuild dicts, and the NDJSON writer copies the bytes instead of re-encoding them.
Other writers parse it back.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["RawJSON"]


class RawJSON(bytes):
    """The encoded bytes of one JSON value (an NDJSON line, with or without its line end)."""

    __slots__ = ()

    def value(self) -> Any:
        """The parsed JSON value."""
        return msgspec.json.decode(bytes(self))  # ints of any size stay exact

    def line(self) -> bytes:
        """The value as one NDJSON line ending in a single "\\n"."""
        return self.rstrip(b"\r\n") + b"\n"
