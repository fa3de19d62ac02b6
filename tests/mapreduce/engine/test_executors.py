"""Executors: how process pools start their workers."""

import sys
import threading

import pytest

from mapreduce.engine.executors import _process_context, make_executor


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork/forkserver are Linux's")
def test_fork_only_while_single_threaded():
    if threading.active_count() == 1:  # some other test may have left a thread running
        assert _process_context().get_start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _process_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


def test_a_fork_pool_has_its_workers_before_any_task():
    forking = threading.active_count() == 1
    with make_executor("process", 2) as pool:
        if forking:
            assert len(pool._processes) == 2  # started up front, not at the first real task
        assert pool.submit(abs, -3).result() == 3


def test_unknown_executor():
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("gpu", 1)
