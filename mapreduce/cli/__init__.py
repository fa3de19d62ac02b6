"""The command line: arguments, commands, what a person sees (bars, tables), the demo.

The top layer: it calls the engine's public functions (run, resume) and the ledger for
status and purge; nothing below imports it.
"""

import os

# Before numpy is first imported: its OpenBLAS starts a thread per core that spins after the
# import (0.12 s of CPU a command) though nothing here calls BLAS; the pool's workers are
# the parallelism. A value the user set stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from mapreduce.cli.main import main

__all__ = ["main"]
