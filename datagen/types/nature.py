"""Nature types: animal and plant names, common and scientific, and plant families.

Each kingdom is one family of types: a row's common and scientific names are one species.
"""

from __future__ import annotations

from datagen.types.lists import nature
from datagen.types.pools import record_type

__all__: list[str] = []

for _name, _summary, _family, _rows, _j in (
    ("Animal Common Name", "Red fox, Koala, Bald eagle ...", "animal", nature.ANIMALS, 0),
    ("Animal Scientific Name", "the row's animal's binomial name: Vulpes vulpes ...", "animal",
     nature.ANIMALS, 1),
    ("Plant Common Name", "Sugar maple, Sunflower, Common ivy ...", "plant", nature.PLANTS, 0),
    ("Plant Scientific Name", "the row's plant's binomial name: Acer saccharum ...", "plant",
     nature.PLANTS, 1),
    ("Plant Family", "the row's plant's family: Rosaceae, Fabaceae ...", "plant",
     nature.PLANTS, 2),
):  # fmt: skip
    record_type(_name, "Nature", _summary, _family, [r[_j] for r in _rows])
