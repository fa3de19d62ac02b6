"""The allocator tuning: big buffers freed by one block are reused by the next, without
fresh page faults, and the user's own malloc settings are left alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="mallopt thresholds are glibc's (Linux only)"
)

# 40 blocks, each holding three 8 MB buffers at once (its bytes and two arrays made from
# them) and freeing them; print the page faults the blocks took after the first.
_BLOCKS = """
import resource, sys
from mapreduce.engine.allocator import tune_allocator
tuned = tune_allocator() if sys.argv[1] == "tuned" else None
def block():
    buffers = [bytearray(8 << 20) for _ in range(3)]  # zero-filled: every page is written
    del buffers
block()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    block()
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
_PAGES_PER_BUFFER = (8 << 20) // os.sysconf("SC_PAGE_SIZE")


def _faults(mode: str, **env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKS, mode],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    tuned, faults = done.stdout.split()
    return tuned, int(faults)


def test_a_freed_block_buffer_is_reused_without_page_faults():
    tuned, faults = _faults("tuned")
    assert tuned == "True"
    assert faults < _PAGES_PER_BUFFER  # all 40 buffers together: less than one's pages


def test_without_it_every_buffer_faults_its_pages_in_again():
    # The cost the tuning removes, so the test above cannot pass by accident.
    _, faults = _faults("default")
    assert faults > 20 * _PAGES_PER_BUFFER


def test_malloc_settings_in_the_environment_are_left_alone():
    tuned, faults = _faults("tuned", MALLOC_TRIM_THRESHOLD_="0", MALLOC_MMAP_THRESHOLD_="4096")
    assert tuned == "False"
    assert faults > 20 * _PAGES_PER_BUFFER
