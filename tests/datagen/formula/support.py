"""Run a formula over a few hand-made columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from datagen.formula import Env, compile_formula, evaluate


class DictScope:
    """Fields are the given columns, by name."""

    def __init__(self, columns: dict[str, pa.Array], services: Any = None) -> None:
        self.columns = columns
        self._services = services

    def field(self, name: str) -> str | None:
        return name if name in self.columns else None

    def names(self) -> list[str]:
        return list(self.columns)

    def services(self) -> Any:
        return self._services


def run(formula: str, rows: int = 3, this: Any = None, **columns: Any) -> list[Any]:
    """The formula's values, as Python objects."""
    arrays = {k: v if isinstance(v, pa.Array) else pa.array(v) for k, v in columns.items()}
    compiled = compile_formula(formula, DictScope(arrays))
    this_array = None if this is None else (this if isinstance(this, pa.Array) else pa.array(this))
    env = Env(rows, arrays.__getitem__, this_array, lambda pos: np.random.default_rng(pos))
    return evaluate(compiled, env).to_pylist()
