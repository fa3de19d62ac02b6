"""Mockaroo-style formulas, parsed and evaluated by datagen itself (never `eval`).

    >>> from datagen.formula import compile_formula, evaluate, Env
    >>> # see datagen/frame.py for how fields' formulas are compiled and run per chunk

The language is documented in docs/datagen.md ("Formulas"). syntax.py and parser.py read
it; check.py resolves its names and checks its calls; evaluate.py runs it over whole
columns; values.py and ops.py hold Ruby's rules for combining values; functions.py,
methods.py, dates.py and sources.py hold the functions.
"""

from __future__ import annotations

from datagen.formula.check import Compiled, FormulaError, Scope, compile_formula
from datagen.formula.evaluate import Env, evaluate
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
