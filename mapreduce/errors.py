"""The exceptions mapreduce raises, and the exit code each one maps to.

    MapReduceError                 every error the CLI reports in one sentence
    ├── UsageError       (exit 2)  bad command line: unknown parameter, bad value
    ├── InputError       (exit 2)  missing, empty or unreadable inputs; unknown format
    ├── JobFileError     (exit 2)  a job file that cannot be loaded
    ├── OutputError      (exit 2)  OUT cannot be written, or exists and --overwrite is absent
    ├── ResumeError      (exit 2)  a run that cannot be resumed (inputs or parameters changed)
    ├── BadRecordError   (exit 1)  a malformed record stopped the job (file, line/offset, reason)
    └── TaskFailedError  (exit 1)  a task failed on every attempt

`BadRecord` is not in this tree: jobs raise it from `map()` to reject one record,
and the engine turns it into a `BadRecordError` (or a reject line) with the location.
"""

from __future__ import annotations

__all__ = [
    "BadRecord",
    "BadRecordError",
    "InputError",
    "JobFileError",
    "MapReduceError",
    "OutputError",
    "ResumeError",
    "TaskFailedError",
    "UsageError",
]


class MapReduceError(Exception):
    """Base of every error reported to the user as one sentence."""

    exit_code = 1


class UsageError(MapReduceError):
    """The command line asks for something impossible."""

    exit_code = 2


class InputError(MapReduceError):
    """Inputs are missing, empty, unreadable or of an unknown format."""

    exit_code = 2


class JobFileError(MapReduceError):
    """The job file cannot be read, compiled or does not define exactly one Job."""

    exit_code = 2


class OutputError(MapReduceError):
    """The output cannot be written where it was asked for."""

    exit_code = 2


class ResumeError(MapReduceError):
    """A run cannot be resumed as asked."""

    exit_code = 2


class BadRecordError(MapReduceError):
    """A malformed record stopped the job; the message names file, location and reason."""

    exit_code = 1


class TaskFailedError(MapReduceError):
    """A task failed on every attempt; the worker's exception is chained as __cause__."""

    exit_code = 1


class BadRecord(Exception):
    """Raised by a job's map() (or a reader) to reject the current record with a reason."""
