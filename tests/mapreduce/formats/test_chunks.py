"""Compressed inputs: .gz, .bz2, .xz and .zst read as one stream, bounded, their errors
named; the read meter (a compressed input reports the compressed bytes it has read while
it is read; issue 12: a single .gz input showed no rate until its one task ended)."""

from __future__ import annotations

import base64
import bz2
import gzip
import json
import lzma
import os
import random
from pathlib import Path

import pyarrow as pa
import pytest

from mapreduce.errors import InputError
from mapreduce.formats import chunks
from mapreduce.formats.listing import list_inputs
from tests import oracles


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
        assert isinstance(f, chunks.Decompressed) and f._meter is not None
        while f.read(chunks.CHUNK):
            seen.append(chunks.metered_bytes(str(meter)))
    assert seen == sorted(seen)
    assert 0 < seen[len(seen) // 2] < gz_input.size  # mid-read: part of the file, not all
    assert seen[-1] >= gz_input.size - (256 << 10)
    assert list(meter.iterdir()) == []  # closed: its report is gone


def test_without_the_meter_folder_gz_is_read_plainly(gz_input, monkeypatch):
    monkeypatch.delenv(chunks.READ_METER_ENV, raising=False)
    with chunks.open_bytes(gz_input) as f:
        assert f._meter is None
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


COMPRESS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: pa.Codec("zstd").compress(data, asbytes=True),
}


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_each_codec_reads_seeks_and_names_a_truncated_stream(tmp_path, ext):
    data = b"".join(b'{"i": %d, "pad": "%s"}\n' % (i, b"x" * (i % 50)) for i in range(40_000))
    path = tmp_path / f"in.jsonl{ext}"
    path.write_bytes(COMPRESS[ext](data))
    [file] = list_inputs([str(path)])
    assert (file.format, file.compressed, file.codec) == ("ndjson", True, chunks.CODECS[ext])
    with chunks.open_bytes(file) as f:
        assert f.read(chunks.CHUNK) == data[: chunks.CHUNK]
        assert f.seek(10) == 10 and f.read(5) == data[10:15]  # back: started over
        assert f.seek(len(data) - 3) == len(data) - 3 and f.read() == data[-3:]
    cut = tmp_path / f"cut.jsonl{ext}"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    corrupt = f"input {cut}: the .* stream is corrupt or truncated"
    with pytest.raises(InputError, match=corrupt):  # when listed (its head), or when read
        [half] = list_inputs([str(cut)])
        with chunks.open_bytes(half) as f:
            while f.read(chunks.CHUNK):
                pass


@pytest.mark.parametrize("ext", list(COMPRESS))
@pytest.mark.parametrize("executor", ["sequential", "process"])
def test_a_run_over_compressed_inputs_gives_the_plain_files_answer(tmp_path, ext, executor):
    """.bz2, .xz and .zst were 'cannot tell the format'; a JSON array seeks back in its
    stream, a .tsv keeps its tab delimiter under the codec's extension."""
    from mapreduce.engine.api import run
    from mapreduce.engine.spec import RunSpec

    rows = [{"id": i % 97, "updated_at": f"2024-01-{1 + i % 28:02d}", "n": i} for i in range(3000)]
    ndjson = "".join(json.dumps(r) + "\n" for r in rows).encode()
    tsv = (
        "id\tupdated_at\tn\n" + "".join(f"{r['id']}\t{r['updated_at']}\t{r['n']}\n" for r in rows)
    ).encode()
    array = json.dumps(rows, indent=1).encode()
    outputs = []
    for name, data in (("a.jsonl", ndjson), ("b.tsv", tsv), ("c.json", array)):
        plain, packed = tmp_path / name, tmp_path / f"{name}{ext}"
        plain.write_bytes(data)
        packed.write_bytes(COMPRESS[ext](data))
        for source in (plain, packed):
            out = tmp_path / f"out-{source.name}"
            spec = RunSpec(
                job="latest_by_key",
                inputs=(str(source),),
                out=str(out),
                executor=executor,
                workers=2,
                reducers=2,
                state_dir=str(tmp_path / "state"),
            )
            run(spec)
            outputs.append(oracles.part_bytes(out))
        assert outputs[-1] == outputs[-2], name
        assert sum(part.count(b"\n") for part in outputs[-1].values()) == 97, name
