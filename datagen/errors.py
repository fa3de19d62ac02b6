"""The exceptions datagen raises; the CLI prints str(error) and exits with its code.

DatagenError                  every error reported to the user as one sentence (exit 2)
├── SchemaError               the schema: invalid JSON, unknown type, bad option
│                             (the message names the field's index and name, and the option)
├── UsageError                the request: rows/size, versions, format, locale, seed ...
└── OutputError               the output (or truth) path cannot be written
"""

from __future__ import annotations

__all__ = ["DatagenError", "OutputError", "SchemaError", "UsageError"]


class DatagenError(Exception):
    """Base of every error reported to the user as one sentence."""

    exit_code = 2


class SchemaError(DatagenError):
    """The schema cannot be used as written."""


class UsageError(DatagenError):
    """The arguments ask for something impossible."""


class OutputError(DatagenError):
    """The output cannot be written where it was asked for."""
