"""Plain text: every line is a record (a str without its "\\n" or "\\r\\n"). Reader only."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mapreduce.formats.chunks import lines_from, stop_of
from mapreduce.formats.files import Split

__all__ = ["read"]


def read(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, str]]:
    """Yield (position, line) for every line of the split, blank lines included.

    Lines end at b"\\n" only (not at the other breaks str.splitlines knows), which is what
    the byte-range boundary rule splits on. A line that is not UTF-8 is reported.
    """
    with lines_from(split.file, split.start, stop_of(split)) as (f, pos, stop):
        for raw in f:
            if pos >= stop:
                break
            try:
                line = raw.decode()
            except UnicodeDecodeError as exc:
                on_bad(pos, f"invalid UTF-8 at byte {exc.start + 1} of the line")
            else:
                if line[-1:] == "\n":
                    line = line[:-2] if line[-2:-1] == "\r" else line[:-1]
                yield pos, line
            pos += len(raw)
