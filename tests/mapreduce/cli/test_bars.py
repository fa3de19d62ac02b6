"""Progress bars: the rate of a phase counts a .gz input's bytes while its one task reads."""

from __future__ import annotations

import doctest
import gzip
import os
import random

from mapreduce.cli import bars
from mapreduce.formats import chunks
from mapreduce.formats.listing import list_inputs


def test_doctests():
    assert doctest.testmod(bars).failed == 0


def test_the_rate_counts_a_gz_input_before_its_task_ends(tmp_path, monkeypatch):
    monkeypatch.delenv(chunks.READ_METER_ENV, raising=False)
    monkeypatch.setattr(chunks, "METER_STEP", 64 << 10)
    path = tmp_path / "in.txt.gz"
    with gzip.open(path, "wb") as f:
        f.write(random.Random(3).randbytes(2 << 20))
    [file] = list_inputs([str(path)])
    progress = bars.BarProgress()
    meter = os.environ[chunks.READ_METER_ENV]
    try:
        progress.start_phase("map", 1, 0)
        assert progress.rate() == ""
        with chunks.open_bytes(file) as reader:  # what the map task's reader opens
            reader.read(1 << 20)
            assert progress.rate().endswith(" MB/s")
            assert "rec/s" not in progress.rate()  # no task has reported records yet
        progress.task_done(records=10, nbytes=file.size)
        assert "rec/s" in progress.rate()
    finally:
        progress.close()
    assert chunks.READ_METER_ENV not in os.environ
    assert not os.path.exists(meter)
