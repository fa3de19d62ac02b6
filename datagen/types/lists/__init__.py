"""Small curated value lists for types Faker has no data for (sources: docs/datagen.md, Pools).

Each module holds plain tuples, so packaging needs no data files.
"""
