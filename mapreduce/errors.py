"""The exceptions mapreduce raises, and the exit code each one maps to.

    MapReduceError                 every error the CLI reports in one sentence
    ├── UsageError       (exit 2)  bad command line: unknown parameter, bad value
    ├── InputError       (exit 2)  missing, empty or unreadable inputs; unknown format
    ├── JobFileError     (exit 2)  a job file that cannot be loaded
    ├── OutputError      (exit 2)  OUT cannot be written, or exists and --overwrite is absent
    ├── ResumeError      (exit 2)  a run that cannot be resumed (inputs or parameters changed)
    ├── UnknownRunError  (exit 2)  no run with that id in the state dir
    ├── StateError       (exit 2)  the state dir or its ledger cannot be used (corrupt, unwritable)
    ├── SinkError        (exit 2)  a database output cannot be used or loaded (no password shown)
    ├── LedgerError      (exit 1)  the ledger refused a state change (a guard failed)
    ├── BadRecordError   (exit 1)  a malformed record stopped the job (file, line/offset, reason)
    ├── JobError         (exit 1)  the job's own code failed (its traceback names job.py:LINE)
    └── TaskFailedError  (exit 1)  a task failed on every attempt

Errors in the tree are deterministic: the scheduler never retries them. Anything else a
task raises (OSError, a dead worker, a timeout) is retried up to --max-attempts.

`BadRecord` is not in this tree: jobs raise it from `map()` to reject one record,
and the engine turns it into a `BadRecordError` (or a reject line) with the location.
"""

from __future__ import annotations

__all__ = [
    "BadRecord",
    "BadRecordError",
    "InputError",
    "JobError",
    "JobFileError",
    "LedgerError",
    "MapReduceError",
    "OutputError",
    "ResumeError",
    "SinkError",
    "StateError",
    "TaskFailedError",
    "UnknownRunError",
    "UsageError",
    "shown",
]


def shown(value: object, limit: int = 80) -> str:
    """A value's repr as an error message quotes it: cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


class UnknownRunError(MapReduceError):
    """No run with the asked-for id is recorded in the state dir."""

    exit_code = 2


class StateError(MapReduceError):
    """The state dir or its ledger cannot be used: corrupt, unwritable, not a folder."""

    exit_code = 2


class SinkError(MapReduceError):
    """A database output cannot be used or loaded; the message never holds a password."""

    exit_code = 2


class LedgerError(MapReduceError):
    """The ledger refused a write: unknown run or task, or not in the expected state."""


class JobError(MapReduceError):
    """The job's own code raised: a bug in the job, the same on every attempt."""

    exit_code = 1


class BadRecordError(MapReduceError):
    """A malformed record stopped the job; the message names file, location and reason."""

    exit_code = 1


class TaskFailedError(MapReduceError):
    """A task failed on every attempt; the worker's exception is chained as __cause__."""

    exit_code = 1


class BadRecord(Exception):
    """Raised by a job's map() (or a reader) to reject the current record with a reason."""
