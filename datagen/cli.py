"""Command line: `python -m datagen (--schema FILE | --preset NAME) --rows N -o OUT`, and `types`.

Errors print as one sentence (`error: ...`) with exit code 2: datagen's own errors, and any
OSError (a full disk, an unreadable file) that reaches the top. --debug adds the traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence

# Before numpy is first imported: its OpenBLAS starts a thread per core that spins after the
# import (0.1 s of CPU a command) though datagen never calls BLAS. A value the user set stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from datagen.api import Stats, generate
from datagen.errors import DatagenError, UsageError
from datagen.plan import KEY_TYPES
from datagen.presets import PRESETS
from datagen.temporal import TEMPORAL_TYPES
from datagen.timestamps import STYLES
from datagen.types import all_types, registry
from datagen.writers import FORMATS

_FORMAT_ALIASES = {"jsonl": "ndjson", "txt": "text"}  # the extensions' spellings

__all__ = ["main", "parser"]


USAGE = """python -m datagen (--schema FILE | --preset NAME) (--rows N | --size SIZE) -o OUT
                         [options]
       python -m datagen --schema EXPORT.json -o OUT   (the export's num_rows)
       python -m datagen types"""
COMMANDS = """commands:
  types      list every field type with its options, and each refused type with the reason"""


def version() -> str:
    """The installed version (datagen ships in the mapreduce distribution)."""
    try:
        return importlib.metadata.version("mapreduce")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown"


def parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m datagen`."""
    p = argparse.ArgumentParser(
        prog="python -m datagen",
        usage=USAGE,
        description="Generate Mockaroo-compatible mock data.\n\n" + COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"datagen {version()}")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--schema", metavar="FILE", help="a Mockaroo schema: a JSON list of fields, or an export"
    )
    src.add_argument("--preset", choices=list(PRESETS), help="a built-in schema")
    amount = p.add_mutually_exclusive_group()
    amount.add_argument(
        "--rows", type=int, metavar="N", help="records to write (default: the schema's num_rows)"
    )
    amount.add_argument("--size", metavar="SIZE", help="about this many bytes, like 500MB or 2GB")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output file (.jsonl .json .csv .tsv .sql .xml .parquet .txt, optionally + .gz), "
        "or - for standard output (NDJSON unless --format or the schema export says)",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        type=lambda text: _FORMAT_ALIASES.get(text.lower(), text.lower()),
        help="override the format the extension implies (jsonl is ndjson, txt is text)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace OUT (and --truth) if they exist"
    )
    p.add_argument("--seed", type=int, default=0, help="same seed, same bytes (default 0)")
    p.add_argument(
        "--workers", type=int, default=1, metavar="N", help="parallel processes (default 1)"
    )
    p.add_argument(
        "--locale", default="en_US", help="Faker locale of names, addresses ... (default en_US)"
    )
    _format_arguments(p.add_argument_group("output formats"))
    _version_arguments(p.add_argument_group("versioned records (for latest-timestamp reduces)"))
    p.add_argument(
        "--dataset",
        action="append",
        metavar="NAME=PATH.csv",
        dest="datasets",
        help="a CSV file Dataset Column fields and from_dataset() read (repeatable)",
    )
    p.add_argument(
        "--independent-emails",
        dest="emails_from_names",
        action="store_const",
        const=False,
        help="emails not made of the record's names (default: they are)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p  # fmt: skip


def _format_arguments(f: argparse._ArgumentGroup) -> None:
    f.add_argument("--pretty", action="store_true", help="indent JSON array output")
    f.add_argument("--line-ending", choices=("unix", "windows"),
                   help="default: the schema's line_ending, else unix")  # fmt: skip
    f.add_argument("--bom", action="store_true", help="start CSV/TSV/text with a UTF-8 BOM")
    f.add_argument(
        "--no-header",
        dest="header",
        action="store_false",
        default=None,
        help="CSV/TSV: no line of field names (or the schema's include_header)",
    )
    f.add_argument("--no-include-nulls", dest="include_nulls", action="store_false",
                   help="JSON: leave out keys whose value is blank")  # fmt: skip
    f.add_argument("--delimiter", metavar="CHAR", help="CSV/TSV: field separator (tab: 'tab')")
    f.add_argument("--quote-char", metavar="CHAR", help='CSV/TSV: quote character (default ")')
    f.add_argument("--table-name", metavar="NAME", help="SQL: table (default: the file's name)")
    f.add_argument("--create-table", action="store_true", help="SQL: start with CREATE TABLE")
    f.add_argument("--insert-batch", type=int, metavar="N",
                   help="SQL: rows per INSERT statement (default 1000)")  # fmt: skip
    f.add_argument("--xml-root", metavar="NAME", help="XML: root element (default dataset)")
    f.add_argument("--xml-record", metavar="NAME", help="XML: record element (default record)")


def _version_arguments(v: argparse._ArgumentGroup) -> None:
    v.add_argument("--versions", metavar="K|A-B", help="versions per key, e.g. 4 or 2-5")
    v.add_argument("--key-field", metavar="NAME", help=f"default: id; types {', '.join(KEY_TYPES)}")
    v.add_argument(
        "--timestamp-field", default="updated_at", metavar="NAME", help="default updated_at"
    )
    v.add_argument("--truth", metavar="FILE", help="write each key's latest record here (NDJSON)")
    v.add_argument(
        "--ties",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of keys with a tied latest time",
    )
    v.add_argument("--timestamp-style", choices=STYLES, default="iso-z")  # fmt: skip


# options datagen adds to catalogue types (datagen/temporal.py)
DATAGEN_OPTIONS = {
    name: ("timeZone=UTC (an IANA zone like Europe/Paris, an offset like +05:30, or random)",)
    for name in TEMPORAL_TYPES
}


def list_types() -> str:
    """Every type with its category, options and summary, then each refused type and why."""
    lines = []
    category = None
    for t in all_types():
        if t.category != category:
            category = t.category
            lines.append(f"\n{category}")
        options = (*t.options, *DATAGEN_OPTIONS.get(t.name, ()))
        opts = f"  [{', '.join(options)}]" if options else ""
        alias = f"  (also: {', '.join(t.aliases)})" if t.aliases else ""
        lines.append(f"  {t.name:<26} {t.summary}{opts}{alias}")
    refused: dict[str, str] = getattr(registry, "refused_types", dict)()
    if refused:
        lines.append("\nRefused (a schema using one stops with this reason)")
        lines.extend(f"  {name:<26} {reason}" for name, reason in refused.items())
    count = len(all_types())
    return (
        f"{count} field types; every field also takes percentBlank (0-100) and formula.\n"
        + "\n".join(lines)
        + "\n"
    )


STDOUT = "-"  # -o -: standard output


def _generate(args: argparse.Namespace) -> Stats:
    if args.output != STDOUT:
        return _generate_into(args.output, args, args.format)
    # Standard output cannot be written at offsets, by several workers, nor replaced
    # atomically: the file is made in a temporary folder, then copied out whole.
    with tempfile.TemporaryDirectory(prefix="datagen-stdout-") as folder:
        into = os.path.join(folder, "stdout")  # no extension: --format or the export names it
        try:
            stats = _generate_into(into, args, args.format)
        except UsageError as exc:
            if args.format is not None or not str(exc).startswith("cannot tell the format"):
                raise
            stats = _generate_into(into, args, "ndjson")
        with open(into, "rb") as made:
            shutil.copyfileobj(made, sys.stdout.buffer, 1 << 20)
        sys.stdout.buffer.flush()
    return dataclasses.replace(stats, path="standard output")


def _generate_into(out: str, args: argparse.Namespace, fmt: str | None) -> Stats:
    return generate(
        out, preset=args.preset, schema=args.schema, rows=args.rows, size=args.size,
        seed=args.seed, fmt=fmt, versions=args.versions, key_field=args.key_field,
        timestamp_field=args.timestamp_field, truth=args.truth, ties=args.ties,
        timestamp_style=args.timestamp_style, workers=args.workers, locale=args.locale,
        pretty=args.pretty, line_ending=args.line_ending, bom=args.bom, header=args.header,
        quiet=args.quiet,
        overwrite=args.overwrite, delimiter=args.delimiter, quote_char=args.quote_char,
        table_name=args.table_name, create_table=args.create_table,
        insert_batch=args.insert_batch, xml_root=args.xml_root, xml_record=args.xml_record,
        include_nulls=args.include_nulls, datasets=args.datasets,
        emails_from_names=args.emails_from_names,
    )  # fmt: skip


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _report(error: object, debug: bool, code: int) -> int:
    if debug:
        traceback.print_exc()
    print(f"error: {error}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, or 2 for any error datagen reports)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["types"]:
        sys.stdout.write(list_types())
        return 0
    args = parser().parse_args(args_list)
    # a terminated run cleans up like an interrupted one: no temporary file is left behind
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stats = _generate(args)
    except DatagenError as exc:
        return _report(exc, args.debug, exc.exit_code)
    except BrokenPipeError:  # -o - into `head`: the reader had enough, as for any Unix tool
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except OSError as exc:  # not one datagen expected; still one sentence, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        return _report(f"{exc.strerror or exc}{where}", args.debug, 2)
    except KeyboardInterrupt:
        print("error: interrupted; the output was not written", file=sys.stderr)
        return 130
    if not args.quiet:
        keys = f", {stats.keys:,} keys" if stats.keys is not None else ""
        print(
            f"wrote {stats.rows:,} rows{keys} ({stats.bytes / 1e6:,.1f} MB) to {stats.path} in "
            f"{stats.seconds:.2f} s ({stats.rows_per_second:,.0f} rows/s)",
            file=sys.stderr,
        )
    return 0
