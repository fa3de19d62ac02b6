"""Record formats: listing inputs, the split descriptors, and one module per format.

    files      InputFile and Split: the descriptors planning and reading share
    listing    paths, globs and directories → InputFiles, each with its format
    registry   one entry per format: extensions, reader, counting pass, writer
    chunks     the bytes one split reads: its own range, then just past its end (a .gz,
               .bz2, .xz or .zst file: its decompressed stream)
    lines      positions → "line N" / "row N" for messages
    ndjson     one JSON value per line                 reader, writer
    jsonarray  a JSON array, compact or pretty         reader (jsonscan: its structure)
    csvfile    RFC 4180 CSV with a header (.tsv: tabs) reader, writer
    parquet    row groups as splits                    reader, writer
    text       one str per line                        reader
    raw        RawJSON: a record kept as the bytes it was read as

This package knows nothing of jobs, tasks or runs: the planner and the map tasks call it.
"""
