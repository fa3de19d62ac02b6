"""mapreduce: a MapReduce-style, data-parallel batch processor for big local files.

The public API — what job authors and Python callers use. Built-in jobs import only from
here; everything else is the engine's own and may change.

    from mapreduce import Job, Param

    class WordCount(Job):
        def map(self, line):
            for word in line.split():
                yield word.lower(), 1

        def merge(self, a, b):
            return a + b
"""

import importlib
from typing import TYPE_CHECKING, Any

from mapreduce import exactsum
from mapreduce.errors import (
    BadRecord,
    BadRecordError,
    InputError,
    JobError,
    JobFileError,
    MapReduceError,
    OutputError,
    ResumeError,
    TaskFailedError,
    UsageError,
)
from mapreduce.formats.raw import RawJSON
from mapreduce.job import Job, Param, Step
from mapreduce.keys import canonical_key, sort_key
from mapreduce.timestamps import latest, parse_instant

if TYPE_CHECKING:
    from mapreduce.engine.api import resume, run
    from mapreduce.engine.spec import RunSpec, RunSummary

# The engine (numpy, pyarrow) is imported on first use: a job file's `from mapreduce import
# Job` stays light, and the command can configure the process before numpy loads (cli).
_ENGINE = {
    "run": "mapreduce.engine.api",
    "resume": "mapreduce.engine.api",
    "RunSpec": "mapreduce.engine.spec",
    "RunSummary": "mapreduce.engine.spec",
}

__all__ = [
    "BadRecord",
    "BadRecordError",
    "InputError",
    "Job",
    "JobError",
    "JobFileError",
    "MapReduceError",
    "OutputError",
    "Param",
    "RawJSON",
    "ResumeError",
    "RunSpec",
    "RunSummary",
    "Step",
    "TaskFailedError",
    "UsageError",
    "canonical_key",
    "exactsum",
    "latest",
    "parse_instant",
    "resume",
    "run",
    "sort_key",
]


def __getattr__(name: str) -> Any:
    module = _ENGINE.get(name)
    if module is None:
        raise AttributeError(f"module 'mapreduce' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
