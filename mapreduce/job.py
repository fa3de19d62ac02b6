"""The Job base class users subclass, its typed parameters and its steps.

A job says *what* to compute over plain values; the engine decides *how* (DESIGN: jobs
know nothing of executors or files). A job file defines exactly one Job subclass:

    class WordCount(Job):
        def map(self, line):
            for word in line.split():
                yield word.lower(), 1

        def merge(self, a, b):
            return a + b

`merge` makes the engine combine map-side and reduce without sorting or grouping;
`reduce(key, values)` is for reductions that need every value of a key.

The fast path (optional, same answers): a job may declare the fields its map reads
(`fields`, or `declared_fields()` when names come from parameters) and define
`map_batch(batch)`, which gets a whole block of records as columns and returns key and
value columns that the engine combines the way `batch_merge` names. Blocks map_batch
declines (it returns None) go through `map` record by record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mapreduce.errors import JobFileError, UsageError

__all__ = ["BATCH_MERGES", "Job", "Param", "Step"]

BATCH_MERGES = ("sum", "latest", "aggregate")
"""How map_batch's columns combine per key (keys: int64, string, or null for one total).
"sum": the integer column "value" is added up.
"latest": the row with the latest instant (int64 columns "seconds" and "nanos", nanos in
[0, 10**9)) wins, and on equal instants the later input position; the winner's record is
read back as its bytes, so merge() and output() see the version (instant, position, bytes).
"aggregate": "value" holds one number per record (int64, or float64 with an optional bool
column "is_int" marking the rows map() reads as ints); map() yields (1, int, (), n, n)
for an int n and (1, 0, (x,), x, x) for a float x, and merge() and output() see
(count, int sum, exactsum partials of the float sum, min, max). The sums are exact on
columns too; merge() must not depend on the order of its arguments (ties of 1 and 1.0)."""

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f"}


class Param:
    """A typed job parameter declared on the class, set with `-p name=value`."""

    def __init__(
        self,
        type: type = str,
        default: Any = None,
        help: str = "",
        choices: tuple[Any, ...] | None = None,
        minimum: float | None = None,
    ) -> None:
        if type not in (str, int, float, bool):
            raise TypeError("Param type must be str, int, float or bool")
        self.type = type
        self.default = default
        self.help = help
        self.choices = choices
        self.minimum = minimum  # int and float: the least value allowed
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance._params.get(self.name, self.default)

    def parse(self, text: str) -> Any:
        """Convert the command-line text to this parameter's type, or raise UsageError."""
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
        else:
            try:
                return self.check(self.type(text))
            except ValueError:
                pass
        raise UsageError(f"parameter {self.name}={text!r} is not a valid {self.type.__name__}")

    def check(self, value: Any) -> Any:
        """`value` if it is one of the choices (when there are any) and not below the
        minimum (when there is one), else UsageError."""
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(str(choice) for choice in self.choices)
            raise UsageError(f"parameter {self.name}={value!r} must be one of {allowed}")
        if self.minimum is not None and value < self.minimum:
            raise UsageError(f"parameter {self.name}={value!r} must be at least {self.minimum}")
        return value


@dataclass(frozen=True, slots=True)
class Step:
    """One map → shuffle → reduce pass; the output records of a step feed the next step's map."""

    map: Callable[[Any], Iterable[tuple[Any, Any]]]
    merge: Callable[[Any, Any], Any] | None = None
    reduce: Callable[[Any, Iterator[Any]], Iterable[Any]] | None = None
    output: Callable[[Any, Any], Any] | None = None


class Job:
    """Base class of user jobs. Override `map`, and `merge` or `reduce` (or `steps`)."""

    fields: ClassVar[Mapping[str, Any] | None] = None
    """Declared fields: the record fields map() reads, name -> type (int, str, float or a
    union of them). Readers then decode only these, natively; None reads whole records."""

    batch_merge: ClassVar[str | None] = None
    """One of BATCH_MERGES when the job defines map_batch(); how its columns combine."""

    batch_output: ClassVar[str | None] = None
    """ "record" declares that output(key, version) of a "latest" job is the winning
    record as read, RawJSON(version[2]): NDJSON parts are then written from the winners'
    bytes in bulk, without one output() call per key (the first is called and checked)."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self._params: dict[str, Any] = dict(params or {})
        self._counters: dict[str, int] = {}
        self.position = 0
        """Order of the current record in the whole input (file order, then offset)."""
        self.raw: bytes | None = None
        """The current record's bytes as read (NDJSON), else None; wrap in RawJSON to
        output the record unchanged without re-encoding it."""

    def map(self, record: Any) -> Iterable[tuple[Any, Any]]:
        """Yield (key, value) pairs for one input record."""
        raise NotImplementedError(f"{type(self).__name__} does not define map()")

    def output(self, key: Any, value: Any) -> Any:
        """Turn a merged (key, value) into an output record; used with merge()."""
        return {"key": key, "value": value}

    def declared_fields(self) -> Mapping[str, Any] | None:
        """The declared fields for this instance (after setup); override when field names
        are parameters. Defaults to the class's `fields`."""
        return type(self).fields

    def map_batch(self, batch: Any) -> Mapping[str, Any] | None:
        """Map one block of records at once: `batch` holds its declared columns (see
        `formats.declared.Batch`); return {"key": column, value columns...} as batch_merge
        needs them, or None to send this block through map() record by record."""
        raise NotImplementedError(f"{type(self).__name__} does not define map_batch()")

    @classmethod
    def defines_map_batch(cls) -> bool:
        """Whether the job has its own map_batch (`map_batch = None` in a subclass turns a
        parent's off: every block goes through map())."""
        own = cls.map_batch
        return own is not Job.map_batch and own is not None

    @classmethod
    def has_map_batch(cls) -> bool:
        """Whether the job takes the fast path: it defines map_batch and says how to merge."""
        return cls.defines_map_batch() and cls.batch_merge in BATCH_MERGES

    def output_key(self) -> str:
        """The field of an output record that holds its key: a database output's primary
        key. The default matches the default output(), {"key": …, "value": …}."""
        return "key"

    def output_timestamp(self) -> tuple[str, str] | None:
        """(field, unit) of an output record's timestamp when records are versions of a
        key: a database output then keeps the latest row per key (mode upsert-latest)."""
        return None

    def setup(self) -> None:
        """Called once per task before the first record."""

    def teardown(self) -> None:
        """Called once per task after the last record."""

    def count(self, name: str, n: int = 1) -> None:
        """Add `n` to the user counter `name`; totals appear in the summary and _SUCCESS."""
        self._counters[name] = self._counters.get(name, 0) + n

    def steps(self) -> list[Step]:
        """The job's passes; by default one step of map plus merge or reduce."""
        cls = type(self)
        merge = self.merge if cls.merge is not Job.merge else None  # type: ignore[attr-defined]
        reduce = self.reduce if cls.reduce is not Job.reduce else None  # type: ignore[attr-defined]
        if merge is None and reduce is None:
            raise JobFileError(f"job {cls.__name__} defines neither merge() nor reduce()")
        return [Step(map=self.map, merge=merge, reduce=reduce, output=self.output)]

    # Sentinels so steps() can tell whether a subclass defines them.
    def merge(self, a: Any, b: Any) -> Any:  # pragma: no cover - replaced by subclasses
        raise NotImplementedError

    def reduce(self, key: Any, values: Iterator[Any]) -> Iterable[Any]:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def params(cls) -> dict[str, Param]:
        """Every Param declared on the class or its bases, by name."""
        found: dict[str, Param] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Param):
                    found[name] = value
        return found

    @classmethod
    def complete_params(cls, given: dict[str, Any]) -> dict[str, Any]:
        """Every declared parameter's value: the given ones (checked), the defaults for the rest."""
        declared = cls.params()
        unknown = sorted(set(given) - set(declared))
        if unknown:
            known = ", ".join(sorted(declared)) or "none"
            msg = f"unknown parameter {unknown[0]!r} for job {cls.__name__} (known: {known})"
            raise UsageError(msg)
        return {
            name: param.check(given[name]) if name in given else param.default
            for name, param in declared.items()
        }

    @classmethod
    def parse_params(cls, pairs: Iterable[str]) -> dict[str, Any]:
        """Parse `name=value` texts into typed parameters; unknown names raise UsageError."""
        declared = cls.params()
        parsed: dict[str, Any] = {}
        for pair in pairs:
            name, sep, text = pair.partition("=")
            if not sep:
                raise UsageError(f"parameter {pair!r} is not of the form name=value")
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                msg = f"unknown parameter {name!r} for job {cls.__name__} (known: {known})"
                raise UsageError(msg)
            parsed[name] = declared[name].parse(text)
        return parsed
