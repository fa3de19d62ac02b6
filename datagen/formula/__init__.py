"""Mockaroo-style formulas, parsed and evaluated by datagen itself (never `eval`).

    >>> from datagen.formula import compile_formula, evaluate, Env
    >>> # see datagen/frame.py for how fields' formulas are compiled and run per chunk

The language is documented in docs/datagen.md ("Formulas"): syntax.py and parser.py read
it, evaluate.py checks and runs it over whole columns, values.py and ops.py hold Ruby's
rules for combining values, and functions.py, methods.py, dates.py and sources.py hold the
functions.
"""

from __future__ import annotations

from datagen.formula.evaluate import Compiled, Env, FormulaError, Scope, compile_formula, evaluate
from datagen.formula.functions import FUNCTIONS
from datagen.formula.methods import METHODS

__all__ = [
    "FUNCTIONS",
    "METHODS",
    "Compiled",
    "Env",
    "FormulaError",
    "Scope",
    "compile_formula",
    "evaluate",
]
