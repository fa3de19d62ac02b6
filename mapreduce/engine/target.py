"""Where a run's output goes: an output folder (the default) or a database table.

`-o OUT` is a folder path, or a database URL (`sqlite:///path.db?table=t`,
`postgresql://user@host:port/db?table=t`, see mapreduce.sinks). A URL is kept as given
in memory (it may carry a password, which the loaders need) and redacted wherever it is
stored or shown (`RunSpec.stored_out`): the ledger, `status`, errors, the summary.
"""

from __future__ import annotations

from pathlib import Path

from mapreduce.engine.committer import check_output
from mapreduce.errors import UsageError
from mapreduce.job import Job
from mapreduce.sinks import LoadSpec, SinkURL, check_sink, parse_sink_url

__all__ = ["check_target", "load_spec", "resolve_output"]


def resolve_output(out: str) -> str:
    """An output folder as an absolute path; a database URL as given."""
    return out if parse_sink_url(out) is not None else str(Path(out).resolve())


def load_spec(url: SinkURL, job: Job) -> LoadSpec:
    """How a job's output records load into a table: its key, and its timestamp if any."""
    stamp = job.output_timestamp()
    field, unit = stamp if stamp is not None else (None, "s")
    return LoadSpec(url=url, key_field=job.output_key(), timestamp_field=field, timestamp_unit=unit)


def check_target(out: str, overwrite: bool, output_format: str, job: Job) -> LoadSpec | None:
    """Refuse an output that cannot be written, before any map work; the load spec of a
    database output (None for a folder)."""
    url = parse_sink_url(out)
    if url is None:
        check_output(Path(out), overwrite)
        return None
    if overwrite:
        raise UsageError(
            f"--overwrite is for output folders; to replace {url.table}, add mode=replace"
        )
    if output_format != "ndjson":
        raise UsageError(
            f"--output-format {output_format} is for output folders, not {url.redacted}"
        )
    spec = load_spec(url, job)
    check_sink(spec)
    return spec
