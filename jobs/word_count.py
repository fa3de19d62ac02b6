"""Count words in text lines: a word is a run of letters, digits, underscores or apostrophes,
compared case-insensitively.

    mapreduce run word_count corpus.txt -o counts/
    mapreduce run word_count tweets.jsonl -o counts/ -p field=text

In JSON, CSV or Parquet records, `-p field=NAME` counts the words of one field (a.b: field
b of object a); without it, the words of every text value of the record (its keys, numbers
and booleans are not text). A record without the field is a bad record, named.

The fast path (same words): map_batch gets a block of lines at once. ASCII text is
lowercased and cut into words by one byte translation, squeezed so that one space ends
each word (numpy), and counted by Arrow with the spaces still on; other text is
lowercased and matched with the same regular expression as map(), over the whole block
at once (no word spans a line break, and a line break ends a lowercasing context, so
this is map() line by line). With `field`, the job declares it as text: an NDJSON or CSV
block's column, each value and a line break after it, is counted the same way.
"""

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce import BadRecord, Job, Param

WORD = re.compile(r"[\w']+")
# In ASCII, \w is [A-Za-z0-9_]: keep those and "'", lowercase A-Z, make the rest a space.
_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789_'"
ASCII_WORDS = bytes(c + 32 if 65 <= c <= 90 else c if c in _KEEP else 32 for c in range(256))


def word_counts(data):
    """{"key": words, "value": counts} of a block of text lines, the words map() finds
    line by line; None when the block is not UTF-8 (map() reports the line)."""
    if data.isascii():
        return _ascii_counts(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    counts = pc.value_counts(pa.array(WORD.findall(text.lower()), pa.large_string()))
    return {"key": counts.field(0), "value": counts.field(1)}


def _ascii_counts(data):
    """Counts of the words of ASCII text. After the translation a word is a run of bytes
    other than a space; dropping every space but the one after a word makes each word and
    its space one string of a zero-copy Arrow array (half the time of Arrow's split, which
    copies every word), and the distinct words lose the space after counting."""
    text = np.frombuffer(data.translate(ASCII_WORDS), np.uint8)
    letters = text != 32
    keep = letters.copy()
    keep[1:] |= letters[:-1]  # a word's bytes, and the space right after it
    squeezed = text[keep]  # starts with a word (leading spaces are gone)
    if len(squeezed) and squeezed[-1] != 32:
        squeezed = np.append(squeezed, np.uint8(32))
    ends = np.flatnonzero(squeezed == 32)
    offsets = np.zeros(len(ends) + 1, np.int64)
    offsets[1:] = ends + 1
    words = pa.Array.from_buffers(
        pa.large_string(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(squeezed)]
    )
    counts = pc.value_counts(words)
    return {"key": pc.utf8_slice_codeunits(counts.field(0), 0, -1), "value": counts.field(1)}


def texts(value):
    """The text values in a record or field value, depth first (keys, numbers, booleans
    and nulls are not text)."""
    if type(value) is str:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


def column_text(column):
    """The UTF-8 bytes of a text column's values (an Arrow array, or a list of str as the
    NDJSON reader decodes them), each followed by a line break."""
    if isinstance(column, list):
        return ("\n".join(column) + "\n").encode() if column else b""
    large = pa.types.is_large_string(column.type)
    empty, newline = (pa.scalar(s, column.type) for s in ("", "\n"))
    joined = pc.binary_join_element_wise(column, empty, newline)  # a null stays null: no words
    width = np.dtype(np.int64 if large else np.int32)
    offsets = np.frombuffer(
        joined.buffers()[1], width, len(joined) + 1, joined.offset * width.itemsize
    )
    data = joined.buffers()[2]
    if data is None:
        return b""
    return data.to_pybytes()[offsets[0] : offsets[-1]]


class WordCount(Job):
    """How often each word occurs."""

    field = Param(
        str, "", "count the words of this field of each record (a.b: field b of object a)"
    )

    batch_merge = "sum"

    def setup(self):
        from jobs.top_n import field_getter  # top_n counts words with this module's rules

        self._get = field_getter(self.field) if self.field else None

    def declared_fields(self):
        return {self.field: str} if self.field else None

    def map(self, record):
        if self._get is not None:
            if type(record) is not dict:
                raise BadRecord(f"record is a {type(record).__name__}, not an object")
            record = self._get(record)
        if type(record) is str:  # a text line: no record to walk
            for word in WORD.findall(record.lower()):
                yield word, 1
            return
        for text in texts(record):
            for word in WORD.findall(text.lower()):
                yield word, 1

    def map_batch(self, batch):
        if batch.format == "text":
            return word_counts(batch.data) if self._get is None else None
        if self._get is None:
            return None  # every text value of a record: map() walks it
        return word_counts(column_text(batch[self.field]))

    def merge(self, a, b):
        return a + b

    def output(self, word, count):
        return {"word": word, "count": count}

    def output_key(self):
        return "word"
