"""Listing inputs: expand paths, globs and directories into files, and tell each one's format."""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Callable, Sequence

from mapreduce.errors import InputError, UsageError
from mapreduce.formats.chunks import Decompressed, codec_of
from mapreduce.formats.csvfile import EXTENSION_DELIMITERS
from mapreduce.formats.files import MAX_FILES, MAX_OFFSET, InputFile
from mapreduce.formats.registry import EXTENSIONS, INPUT_FORMATS

__all__ = ["format_of", "list_inputs"]

_WHITESPACE = b" \t\r\n"
_SNIFF = 1 << 16
_BOM = b"\xef\xbb\xbf"


def list_inputs(
    patterns: Sequence[str], input_format: str | None = None, delimiter: str | None = None
) -> list[InputFile]:
    """Expand files, globs and directories into InputFiles, in command-line order.

    A file reached twice (say by two overlapping globs) is listed once, where first reached.
    A CSV file's fields are separated by `delimiter` if given, else by a tab in a `.tsv`
    or `.tab` file and by a comma in any other. Raises InputError naming the input and the
    remedy when nothing usable is found.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        msg = f"unknown input format {input_format!r}; choose one of {', '.join(INPUT_FORMATS)}"
        raise UsageError(msg)
    paths: list[str] = []
    seen: set[str] = set()
    for pattern in patterns:
        for path in _expand(pattern):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                paths.append(path)
    if not paths:
        raise InputError("no inputs were given; pass files, globs or directories")
    if len(paths) > MAX_FILES:
        msg = (
            f"{len(paths):,} input files, starting with {paths[0]}; at most {MAX_FILES:,} "
            "are read in one run: concatenate small files, or run on part of them at a time"
        )
        raise InputError(msg)
    files = [_input_file(path, index, input_format, delimiter) for index, path in enumerate(paths)]
    if sum(file.size for file in files) == 0:
        msg = f"all {len(files)} input file(s) are empty (0 bytes), starting with {paths[0]}"
        raise InputError(msg)
    return files


def _expand(pattern: str) -> list[str]:
    """The files one command-line input stands for, sorted (one file stays as it is)."""
    if os.path.isdir(pattern):
        files = _walk(pattern)
        if not files:
            msg = (
                f"directory {pattern} contains no input files "
                "(hidden files and names starting with '_' are skipped)"
            )
            raise InputError(msg)
        return files
    if os.path.lexists(pattern):
        if not os.path.isfile(pattern):
            if _is_pipe(pattern):
                raise InputError(f"input {pattern} is a pipe; {_FILES_ONLY}")
            raise InputError(f"input {pattern} is not a regular file")
        return [pattern]
    if pattern == "-":
        raise InputError(f"input - (standard input) cannot be read; {_FILES_ONLY}")
    if any(char in pattern for char in "*?["):
        files = []
        for match in sorted(glob.glob(pattern, recursive=True)):
            files.extend(_walk(match) if os.path.isdir(match) else [match])
        files = [f for f in files if os.path.isfile(f)]
        if not files:
            raise InputError(f"no file matches {pattern}; check the pattern and quote it")
        return files
    raise InputError(f"input {pattern} does not exist")


_FILES_ONLY = (  # what a stream is told: splits, read-backs and resumes need a file
    "inputs are files, read in byte ranges, more than once: write the stream to a file "
    "first (a .gz, .bz2, .xz or .zst file is read as it is: no need to decompress it)"
)


def _is_pipe(path: str) -> bool:
    """Whether `path` is a pipe or FIFO (standard input, `<(...)`)."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(directory: str) -> list[str]:
    """Every regular file under a directory, sorted, skipping hidden and '_' names at any depth
    (such as _SUCCESS, or a .mapreduce work dir left inside an input folder)."""
    found = []
    for root, dirs, names in os.walk(directory, onerror=_unreadable):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in names:
            path = os.path.join(root, name)
            if not name.startswith((".", "_")) and os.path.isfile(path):
                found.append(path)
    return sorted(found)


def _unreadable(exc: OSError) -> None:
    """os.walk skips a folder it cannot list unless told otherwise: an input lost (issue 8)."""
    folder = exc.filename or "a folder"
    msg = (
        f"cannot read input folder {folder}: {exc.strerror or exc}; "
        "fix its permissions or leave it out of the inputs"
    )
    raise InputError(msg) from exc


def _input_file(
    path: str, index: int, input_format: str | None, delimiter: str | None
) -> InputFile:
    """Stat one file, check it can be read and tell its format (and a CSV file's delimiter)."""
    codec = codec_of(path)
    try:
        stat = os.stat(path)
        fmt = format_of(path, input_format)
    except OSError as exc:
        raise InputError(f"cannot read input {path}: {exc.strerror or exc}") from exc
    if codec and fmt == "parquet":
        msg = (
            f"input {path}: compressed Parquet is not supported (Parquet compresses its "
            "own columns); decompress it"
        )
        raise InputError(msg)
    if stat.st_size >= MAX_OFFSET and not codec:
        msg = f"input {path} is {stat.st_size:,} bytes; files up to 1 TiB are read: split it"
        raise InputError(msg)
    if fmt != "csv":
        delimiter = ","
    elif delimiter is None:
        delimiter = EXTENSION_DELIMITERS.get(_inner_extension(path), ",")
    size, mtime = stat.st_size, stat.st_mtime_ns
    return InputFile(path, index, fmt, size, mtime, codec, delimiter)


def _inner_extension(path: str) -> str:
    """The extension that names the format: the last one, or the one before .gz, .bz2,
    .xz or .zst."""
    name = path.lower()
    if codec_of(name):
        name = os.path.splitext(name)[0]
    return os.path.splitext(name)[1]


def format_of(path: str, input_format: str | None = None) -> str:
    """The format of a file: `input_format` if given, else by extension (a trailing .gz,
    .bz2, .xz or .zst is stripped first; .json is sniffed). Opens the file, so an
    unreadable file raises OSError, and a corrupt compressed one InputError."""
    codec, ext = codec_of(path), _inner_extension(path)
    with Decompressed(path, codec) if codec else open(path, "rb") as f:
        # A corrupt compressed header fails here, not in a worker much later; only .json
        # is read further (a directory of many small files is opened, not read).
        sniff = bool(codec) or (input_format is None and EXTENSIONS.get(ext) == "json")
        head = f.read(_SNIFF) if sniff else b""
        if input_format is not None:
            return input_format
        fmt = EXTENSIONS.get(ext)
        if fmt is None:
            shown = ext or "no extension"
            msg = (
                f"cannot tell the format of {path} from its extension ({shown}); "
                f"pass --input-format ({', '.join(INPUT_FORMATS)})"
            )
            raise InputError(msg)
        return _sniff_json(head, f.read) if fmt == "json" else fmt


def _sniff_json(head: bytes, read: Callable[[int], bytes]) -> str:
    """'json' if the first byte that is not whitespace (or a BOM) is '[', else 'ndjson'."""
    data = head.removeprefix(_BOM)
    while data:
        data = data.lstrip(_WHITESPACE)
        if data:
            return "json" if data[:1] == b"[" else "ndjson"
        data = read(_SNIFF)
    return "ndjson"
