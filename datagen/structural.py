"""Mockaroo's structural types: values made from other fields, or records' shape.

    Formula            the field's value is its formula (`value`, or the `formula` option)
    Template           text with {field} holes: "{first_name} {last_name}"
    JSON Array         an array of objects made of the fields named `<array>.<name>`
    Repeating Element  the same; XML writes each element as its own element
    Dataset Column     a value from a column of a --dataset CSV file (datagen/datasets.py)
    SQL Expression     SQL written as it is into .sql output (NOW(), a subquery ...); text
                       in other formats

They are registered in the type catalogue through its public API so that schemas name them
and `python -m datagen types` lists them; datagen/frame.py and datagen/layout.py make them.
Building one as a plain value (as `generate("Formula")` would) is a schema error.
"""

from __future__ import annotations

from typing import Any

from datagen.errors import SchemaError
from datagen.types.registry import Context, Sampler, field_type

__all__ = ["FORMULA_TYPES", "STRUCTURAL"]

CATEGORY = "Structure"
# types whose values come from the formula language rather than a sampler
FORMULA_TYPES = ("Formula", "Template")
STRUCTURAL = ("Formula", "Template", "JSON Array", "Repeating Element", "Dataset Column",
              "SQL Expression")  # fmt: skip


def _no_values(name: str) -> Any:
    def build(opts: Any, ctx: Context) -> Sampler:
        raise SchemaError(
            f"{opts.where}: a {name} field has no values of its own outside a schema's record"
        )

    return build


for _name, _summary, _options in (
    ("Formula", "a value computed by a formula from the row's other fields",
     ("value=formula text (or the field's formula option)",)),
    ("Template", "text with {field name} holes filled from the same row",
     ("value={first_name} {last_name}",)),
    ("JSON Array", "an array of objects made of the fields named <this name>.<field>",
     ("minItems=1", "maxItems=5")),
    ("Repeating Element", "like JSON Array; in XML each item is its own element",
     ("minItems=1", "maxItems=5")),
    ("Dataset Column", "values from a column of a --dataset NAME=PATH.csv file",
     ("dataset=NAME", "column=NAME", "selectionStyle=random|sequential|weighted",
      "weightColumn=NAME (weighted)")),
    ("SQL Expression", "SQL written unquoted into .sql output, e.g. NOW(); text elsewhere",
     ("value=NOW()",)),
):  # fmt: skip
    field_type(_name, CATEGORY, _summary, _options)(_no_values(_name))
