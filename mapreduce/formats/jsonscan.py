"""JSON structure without parsing: the counting pass over a byte range, and the scanners that
find where the elements of a JSON array begin and end.

The state at a byte is (string, sq, cu): `string` is OUTSIDE, INSIDE a string, ESCAPED
(inside, right after a backslash) or OUT_ESCAPED (outside, after a stray backslash); `sq`
and `cu` count the '[' and '{' open outside strings, each kind on its own so a '[' closed by
'}' is never taken for a balanced value. Every function here follows the same rules, so a
split planned from summaries and a reader scanning tokens agree at every byte, malformed
input included:

- a backslash pairs with the byte after it, inside a string or not;
- an unpaired '"' toggles between outside and inside a string;
- outside strings, '[' ']' '{' '}' move their own count.

An element of the array is a value at depth (1, 0): it starts at the first byte that is not
whitespace after the opening '[' or after a ',' at depth (1, 0).
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

import numpy as np

from mapreduce.formats.files import OUTSIDE

__all__ = [
    "ESCAPED",
    "IDENTITY",
    "INSIDE",
    "OUTSIDE",
    "OUT_ESCAPED",
    "WHITESPACE",
    "advance",
    "compose",
    "element_pattern",
    "scan",
    "skip_string",
    "summarize",
    "summarize_bytes",
]

INSIDE, ESCAPED, OUT_ESCAPED = 1, 2, 3  # and OUTSIDE = 0, from formats.files
State: TypeAlias = tuple[int, int, int]  # (string, sq, cu)
# For each entry string state (by value): (exit string state, change of sq, change of cu).
Summary: TypeAlias = tuple[State, State, State, State]
IDENTITY: Summary = ((0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0))

_BACKSLASH, _BLANK = ord("\\"), ord(" ")
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_STRINGS = re.compile(rb'"[^"]*+(?:"|\Z)')  # in escape-free text holding only "[]{}
_DELTA = {ord("["): (1, 0), ord("]"): (-1, 0), ord("{"): (0, 1), ord("}"): (0, -1)}
_CHUNK = 1 << 20  # measured: 4 MiB chunks run at half the speed (cache misses)


def summarize(path: str, start: int, end: int) -> Summary:
    """The counting pass: the state transition summary of the file's bytes [start, end)."""
    summary = IDENTITY
    with open(path, "rb") as f:
        f.seek(start)
        remaining = end - start
        while remaining > 0 and (data := f.read(min(_CHUNK, remaining))):
            remaining -= len(data)
            summary = compose(summary, summarize_bytes(data))
    return summary


def summarize_bytes(data: bytes) -> Summary:
    """The summary of one chunk, from C-speed passes (numpy, translate, count and one regex
    over what is left) instead of a Python loop per byte.

    Only two entry states need a scan: entering after a backslash differs from entering
    plainly by one paired byte, the first after the leading backslash run, whose effect is
    worked out directly (see _after_backslash).
    """
    text, dangling = _blank_pairs(data)
    # Keep only quotes and brackets, then drop adjacent quote pairs: toggling twice with
    # nothing between changes nothing, and most keys and values leave just such a pair.
    text = text.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    odd = text.count(b'"') & 1
    total = _balance(text)
    out = _balance(_STRINGS.sub(b"", text))  # brackets outside strings when entering outside
    inn = (total[0] - out[0], total[1] - out[1])
    from_outside = (_exit(odd, dangling), *out)
    from_inside = (_exit(1 - odd, dangling), *inn)
    escaped, out_escaped = _after_backslash(data, from_outside, from_inside)
    return (from_outside, from_inside, escaped, out_escaped)


def _blank_pairs(data: bytes) -> tuple[bytes, bool]:
    """The bytes with each backslash pair blanked (made a byte translate() drops), and
    whether an odd backslash run at the end waits for its pair in the next range.

    A backslash run pairs from its left end, so in each run the backslashes at even
    offsets open pairs. numpy finds them; bytes methods would need one pass per pair kind.
    """
    if b"\\" not in data:
        return data, False
    array = np.frombuffer(data, np.uint8).copy()
    at = np.flatnonzero(array == _BACKSLASH)
    rank = np.arange(len(at))
    run_start = np.ones(len(at), bool)
    run_start[1:] = at[1:] != at[:-1] + 1
    opens = at[(rank - np.maximum.accumulate(np.where(run_start, rank, 0))) % 2 == 0]
    dangling = bool(opens[-1] == len(data) - 1)
    array[opens] = _BLANK
    array[opens[:-1] + 1 if dangling else opens + 1] = _BLANK
    return array.tobytes(), dangling


def _after_backslash(data: bytes, from_outside: State, from_inside: State) -> tuple[State, State]:
    """Summaries for entering ESCAPED and OUT_ESCAPED, from the two plain ones.

    Entering after a backslash pairs data[0]; with k leading backslashes this flips whether
    byte c = data[k] is paired. Inside a string only a quote there matters; outside, a quote
    turns the plain inside/outside roles around and a bracket adds or removes its count.
    """
    k = len(data) - len(data.lstrip(b"\\"))
    if k == len(data):  # empty, or nothing but backslashes: data[0] is taken, k - 1 remain
        odd = (k - 1) & 1
        return (ESCAPED if odd else INSIDE, 0, 0), (OUT_ESCAPED if odd else OUTSIDE, 0, 0)
    c = data[k]
    if c == ord('"'):
        return from_outside, from_inside
    if c not in _DELTA:
        return from_inside, from_outside
    dsq, dcu = _DELTA[c]
    sign = 1 if k & 1 else -1  # k odd: c is unpaired only when entering after a backslash
    return from_inside, (
        from_outside[0],
        from_outside[1] + sign * dsq,
        from_outside[2] + sign * dcu,
    )


def _exit(in_string: int, dangling: bool) -> int:
    """The exit string state, given whether a string is open and a backslash is pending."""
    if in_string:
        return ESCAPED if dangling else INSIDE
    return OUT_ESCAPED if dangling else OUTSIDE


def _balance(text: bytes) -> tuple[int, int]:
    """Net '[' and '{' opened in a text."""
    return text.count(b"[") - text.count(b"]"), text.count(b"{") - text.count(b"}")


def compose(first: Summary, then: Summary) -> Summary:
    """The summary of two adjacent ranges, `first` followed by `then`."""
    return tuple(  # type: ignore[return-value]
        (then[s][0], sq + then[s][1], cu + then[s][2]) for s, sq, cu in first
    )


def advance(state: State, summary: Summary) -> State:
    """The state after a range, given the state before it."""
    string, sq, cu = state
    after, dsq, dcu = summary[string]
    return (after, sq + dsq, cu + dcu)


# --- scanners used by the reader: same rules, on a buffer -------------------------------

_WS = rb"[ \t\r\n]"
WHITESPACE = re.compile(_WS + rb"*+")
_STR = rb'"(?:[^"\\]++|\\[\s\S])*+"'
_STRING_REST = re.compile(rb'(?:[^"\\]++|\\[\s\S])*+"')
_ATOM = rb'(?:[^"\\\[\]{}]++|\\[\s\S])'
_SCALAR = rb'(?:[^ \t\r\n"\\\[\]{},]++|\\[\s\S])++'
_TOKEN = re.compile(_STR + rb'|\\[\s\S]|[\[\]{},]|["\\]')


def _nested(levels: int) -> bytes:
    """A regex for an object or array nested at most `levels` deep, kinds matched."""
    inner = _ATOM + b"|" + _STR + (b"|" + _nested(levels - 1) if levels > 1 else b"")
    body = b"(?:" + inner + b")*+"
    return rb"(?:\{" + body + rb"\}|\[" + body + rb"\])"


@functools.cache
def element_pattern() -> re.Pattern[bytes]:
    """An element at the cursor and the separator after it: group 1 is the value, group 2
    the ',' (unset when the array closes); deeper values fall back to scan(). Compiled on
    first use: it takes 8 ms, which every run not reading a JSON array would pay."""
    value = _nested(4) + b"|" + _STR + b"|" + _SCALAR
    return re.compile(_WS + b"*+(" + value + b")" + _WS + rb"*+(?:(,)|\])")


def skip_string(buf: bytes, i: int) -> int:
    """The index just past the '"' that closes the string `i` is inside, or -1 if `buf`
    ends first."""
    m = _STRING_REST.match(buf, i)
    return m.end() if m else -1


def scan(
    buf: bytes, i: int, depth: tuple[int, int], limit: int
) -> tuple[str, int, int, tuple[int, int]]:
    """Walk tokens from `i` (outside strings, at `depth`) to the next place that matters.

    Returns (kind, token start, token end, depth after it), kind being "comma" (a ',' at
    depth (1, 0)), "open" (the '[' that starts an array), "close" (the ']' that ends one),
    "limit" (a token at or past `limit`), or "more" (`buf` ends first; start is where the
    unfinished token began, so the caller can retry from `i` with more bytes).
    """
    sq, cu = depth
    for m in _TOKEN.finditer(buf, i):
        start = m.start()
        if start >= limit:
            return "limit", start, start, (sq, cu)
        c = buf[start]
        if c == 0x2C:  # ,
            if sq == 1 and cu == 0:
                return "comma", start, m.end(), (sq, cu)
        elif c == 0x5B:  # [
            sq += 1
            if sq == 1 and cu == 0:
                return "open", start, m.end(), (sq, cu)
        elif c == 0x5D:  # ]
            sq -= 1
            if sq == 0 and cu == 0:
                return "close", start, m.end(), (sq, cu)
        elif c == 0x7B:  # {
            cu += 1
        elif c == 0x7D:  # }
            cu -= 1
        elif m.end() - start == 1:  # a '"' or '\' whose pair or end is past the buffer
            return "more", start, start, (sq, cu)
    return "more", len(buf), len(buf), (sq, cu)
