"""The read meter: a .gz input reports the compressed bytes it has read while it is read
(issue 12: a single .gz input showed no rate until its one task ended)."""

from __future__ import annotations

import base64
import gzip
import os
import random
from pathlib import Path

import pytest

from mapreduce.errors import InputError
from mapreduce.formats import chunks
from mapreduce.formats.listing import list_inputs


@pytest.fixture
def gz_input(tmp_path):
    """A .gz NDJSON file of about 3 MB compressed (random text does not compress)."""
    rng = random.Random(7)
    lines = [base64.b64encode(rng.randbytes(600)).decode() for _ in range(5_000)]
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.writelines(f'{{"x": "{line}"}}\n' for line in lines)
    [file] = list_inputs([str(path)])
    return file


def test_a_gz_input_reports_compressed_bytes_as_it_reads(tmp_path, gz_input, monkeypatch):
    meter = tmp_path / "meter"
    meter.mkdir()
    monkeypatch.setenv(chunks.READ_METER_ENV, str(meter))
    monkeypatch.setattr(chunks, "METER_STEP", 256 << 10)
    seen = []
    with chunks.open_bytes(gz_input) as f:
        assert isinstance(f, chunks.MeteredGzip)
        while f.read(chunks.CHUNK):
            seen.append(chunks.metered_bytes(str(meter)))
    assert seen == sorted(seen)
    assert 0 < seen[len(seen) // 2] < gz_input.size  # mid-read: part of the file, not all
    assert seen[-1] >= gz_input.size - (256 << 10)
    assert list(meter.iterdir()) == []  # closed: its report is gone


def test_without_the_meter_folder_gz_is_read_plainly(gz_input, monkeypatch):
    monkeypatch.delenv(chunks.READ_METER_ENV, raising=False)
    with chunks.open_bytes(gz_input) as f:
        assert not isinstance(f, chunks.MeteredGzip)
        assert f.read(7) == b'{"x": "'


def test_reports_of_dead_readers_are_dropped(tmp_path):
    (tmp_path / f"{os.getpid()}-1").write_text("500")
    dead = tmp_path / "999999999-1"
    dead.write_text("7000")
    (tmp_path / f"{os.getpid()}-2.tmp").write_text("9")
    assert chunks.metered_bytes(str(tmp_path)) == 500
    assert not dead.exists()
    assert chunks.metered_bytes(str(Path(tmp_path) / "missing")) == 0


def test_a_gz_stream_past_what_positions_can_number_is_an_error(gz_input, monkeypatch):
    monkeypatch.setattr(chunks, "MAX_OFFSET", 1 << 20)  # 1 TiB in a real run
    with chunks.open_bytes(gz_input) as f, pytest.raises(InputError, match="more than 1 TiB"):
        while f.read(chunks.CHUNK):
            pass
    with chunks.open_bytes(gz_input) as f:
        assert len(f.read(1 << 19)) == 1 << 19  # below the limit: read as usual
