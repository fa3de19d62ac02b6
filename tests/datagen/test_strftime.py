"""Column strftime agrees with Python's datetime.strftime on every directive both support."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from datagen.strftime import compile_format, render

FORMAT = "%Y-%m-%d %H:%M:%S %y %b %B %a %A %j %I %p %w %C %e|%F %T %D %R"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-2_000_000_000, 8_000_000_000), min_size=1, max_size=50))
def test_matches_python(seconds: list[int]) -> None:
    got = render(compile_format(FORMAT), np.array(seconds)).to_pylist()
    want = [datetime.fromtimestamp(s, UTC).strftime(FORMAT) for s in seconds]
    assert got == want


def test_ruby_extras() -> None:
    tokens = compile_format("%-m/%-d %l%P %L %N %:z %z %s %^a")
    (text,) = render(
        tokens, np.array([3600 * 15 + 5]), millis=np.array([7]), offset_minutes=np.array([330])
    ).to_pylist()
    assert text == "1/1  3pm 007 007000000 +05:30 +0530 34205 THU"
