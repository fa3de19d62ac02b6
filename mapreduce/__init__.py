"""mapreduce: split big files into byte ranges, map them in parallel, shuffle by key, reduce."""

from __future__ import annotations

from mapreduce.errors import BadRecord, MapReduceError

__all__ = ["BadRecord", "MapReduceError"]
__version__ = "0.1.0"
