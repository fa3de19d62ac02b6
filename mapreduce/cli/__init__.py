"""The command line: arguments, commands, what a person sees (bars, tables), the demo.

The top layer: it calls the engine's public functions (run, resume) and the ledger for
status and purge; nothing below imports it.
"""

from mapreduce.cli.main import main

__all__ = ["main"]
