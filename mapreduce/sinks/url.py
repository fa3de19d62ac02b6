"""Database output URLs: parsing `sqlite:///…` and `postgresql://…`, and their redacted form.

    sqlite:///relative/path.db?table=users           (three slashes: a relative path)
    sqlite:////absolute/path.db?table=users&mode=append
    postgresql://user@host:5432/db?table=users&schema=public&sslmode=require

The password may be in the URL (`user:secret@host`); without one, libpq looks it up in
PGPASSWORD or ~/.pgpass. `SinkURL.redacted` and `repr()` never contain it, so the URL can
be logged, stored in the ledger and written to `_SUCCESS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

from mapreduce.errors import SinkError
from mapreduce.sinks.names import validate_name

__all__ = ["SinkURL", "parse_sink_url"]

MODES = ("upsert-latest", "upsert", "append", "replace")

_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}
_OURS = ("table", "mode", "schema")
# libpq connection parameters a URL may carry through to the server connection.
_LIBPQ = frozenset(
    {
        "host",
        "hostaddr",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "passfile",
        "options",
        "gssencmode",
    }
)


@dataclass(frozen=True, slots=True)
class SinkURL:
    """A parsed database output: where, which table, and how to load it."""

    dialect: str  # "sqlite" | "postgresql"
    table: str
    mode: str | None = None  # None: the default for the job (see LoadSpec)
    schema: str | None = None  # PostgreSQL only; None is the server's search_path
    path: str = ""  # SQLite database file
    user: str | None = None
    host: str | None = None
    port: int | None = None
    dbname: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # libpq parameters, e.g. sslmode
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def redacted(self) -> str:
        """The URL without its password: safe for logs, the ledger and `_SUCCESS`."""
        query = [("table", self.table)]
        query += [(k, v) for k, v in (("mode", self.mode), ("schema", self.schema)) if v]
        query += list(self.options)
        text = "&".join(f"{k}={quote(v, safe='/:')}" for k, v in query)
        if self.dialect == "sqlite":
            return f"sqlite:///{self.path}?{text}"
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = self.host or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{user}{host}{port}/{quote(self.dbname or '', safe='')}?{text}"

    @property
    def target(self) -> str:
        """The table as it is named in messages: `schema.table` or `table`."""
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def conninfo_params(self) -> dict[str, str]:
        """libpq keyword parameters; the password only if the URL carries one."""
        params = dict(self.options)
        for key, value in (
            ("user", self.user),
            ("host", self.host),
            ("dbname", self.dbname),
            ("port", str(self.port) if self.port else None),
            ("password", self.password),
        ):
            if value:
                params[key] = value
        return params


def parse_sink_url(text: str) -> SinkURL | None:
    """Parse a database output URL; None when `text` is a plain output path.

    >>> parse_sink_url("out/") is None
    True
    >>> parse_sink_url("postgresql://ann:s3cret@db:5433/shop?table=users").redacted
    'postgresql://ann@db:5433/shop?table=users'
    """
    scheme, sep, _ = text.partition("://")
    if not sep or scheme.lower() not in _SCHEMES:
        return None
    dialect = _SCHEMES[scheme.lower()]
    parts = urlsplit(text)
    query = _query(parts.query, text)
    table = query.pop("table", None)
    if not table:
        raise SinkError(f"output {_shown(text)} names no table: add ?table=NAME to the URL")
    mode = query.pop("mode", None)
    if mode is not None and mode not in MODES:
        msg = f"output {_shown(text)} has mode={mode!r}: use one of {', '.join(MODES)}"
        raise SinkError(msg)
    schema = query.pop("schema", None)
    validate_name(table, dialect, "table")
    if dialect == "sqlite":
        return _sqlite(text, parts.netloc, parts.path, table, mode, schema, query)
    return _postgresql(text, parts, table, mode, schema, query)


def _postgresql(
    text: str,
    parts: SplitResult,
    table: str,
    mode: str | None,
    schema: str | None,
    query: dict[str, str],
) -> SinkURL:
    """user:password@host:port/dbname; other query parameters must be libpq's."""
    if schema is not None:
        validate_name(schema, "postgresql", "schema")
    unknown = sorted(set(query) - _LIBPQ)
    if unknown:
        accepted = ", ".join([*_OURS, *sorted(_LIBPQ)])
        raise SinkError(
            f"output {_shown(text)} has unknown parameter {unknown[0]!r}: accepted are {accepted}"
        )
    return SinkURL(
        dialect="postgresql",
        table=table,
        mode=mode,
        schema=schema,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        host=parts.hostname,
        port=_port(parts, text),
        dbname=unquote(parts.path.lstrip("/")) or None,
        options=tuple(sorted(query.items())),
    )


def _sqlite(
    text: str,
    netloc: str,
    path: str,
    table: str,
    mode: str | None,
    schema: str | None,
    query: dict[str, str],
) -> SinkURL:
    """SQLAlchemy's convention: `sqlite:///rel.db` is relative, `sqlite:////abs.db` absolute."""
    if netloc:
        raise SinkError(
            f"output {_shown(text)} has a host: write sqlite:///relative.db or "
            "sqlite:////absolute/path.db"
        )
    if schema is not None or query:
        extra = "schema" if schema is not None else sorted(query)[0]
        raise SinkError(
            f"output {_shown(text)} has parameter {extra!r}, which SQLite "
            "outputs do not take: use table and mode only"
        )
    file = unquote(path[1:]) if path.startswith("/") else unquote(path)
    if not file or file.endswith("/"):
        raise SinkError(
            f"output {_shown(text)} names no database file: write sqlite:///path/to.db?table=NAME"
        )
    return SinkURL(dialect="sqlite", table=table, mode=mode, path=file)


def _query(query: str, text: str) -> dict[str, str]:
    """The query parameters; each may appear once."""
    pairs = parse_qsl(query, keep_blank_values=True)
    found: dict[str, str] = {}
    for key, value in pairs:
        if key in found:
            raise SinkError(f"output {_shown(text)} repeats parameter {key!r}: give it once")
        found[key] = value
    return found


def _port(parts: object, text: str) -> int | None:
    """The port, or a one-sentence error for a non-numeric one."""
    try:
        return parts.port  # type: ignore[attr-defined, no-any-return]
    except ValueError:
        raise SinkError(f"output {_shown(text)} has a port that is not a number") from None


def _shown(text: str) -> str:
    """`text` with any password removed, for error messages about the URL itself."""
    scheme, sep, rest = text.partition("://")
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, hostport = authority.rpartition("@")
        authority = f"{userinfo.split(':', 1)[0]}@{hostport}"
    return f"{scheme}{sep}{authority}{slash}{tail}"
