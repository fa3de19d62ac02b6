"""Construction types: heavy equipment, materials, roles, trades, subcontracts, cost codes."""

from __future__ import annotations

from datagen.types.lists import construction
from datagen.types.pools import pool_type

__all__: list[str] = []

for _name, _summary, _values in (
    ("Construction Heavy Equipment", "Excavator, Bulldozer, Tower Crane ...",
     construction.EQUIPMENT),
    ("Construction Material", "Steel, Concrete, Glass ...", construction.MATERIALS),
    ("Construction Role", "Construction Manager, Estimator, Surveyor ...", construction.ROLES),
    ("Construction Trade", "Carpenter, Electrician, Plumber ...", construction.TRADES),
    ("Construction Subcontract Category", "Masonry, HVAC, Roofing (Metal) ...",
     construction.SUBCONTRACTS),
    ("Construction Standard Cost Code", '"03-300 - Cast-in-Place Concrete"-style cost codes',
     construction.COST_CODES),
):  # fmt: skip
    pool_type(_name, "Construction", _summary, _values)
