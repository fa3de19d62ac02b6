"""mapreduce: split big files into byte ranges, map them in parallel, shuffle by key, reduce."""

from __future__ import annotations

from mapreduce.errors import BadRecord, MapReduceError
from mapreduce.job import Job, Param, Step

__all__ = ["BadRecord", "Job", "MapReduceError", "Param", "Step"]
__version__ = "0.1.0"
