"""Count words in text lines: a word is a run of letters, digits, underscores or apostrophes,
compared case-insensitively.

    mapreduce run word_count corpus.txt -o counts/

The fast path (same words): map_batch gets a block of lines at once. ASCII text is
lowercased and cut into words by one byte translation, squeezed so that one space ends
each word (numpy), and counted by Arrow with the spaces still on; other text is
lowercased and matched with the same regular expression as map(), over the whole block
at once (no word spans a line break, and a line break ends a lowercasing context, so
this is map() line by line).
"""

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce import Job

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


class WordCount(Job):
    """How often each word occurs."""

    batch_merge = "sum"

    def map(self, line):
        if type(line) is not str:
            line = str(line)
        for word in WORD.findall(line.lower()):
            yield word, 1

    def map_batch(self, batch):
        return word_counts(batch.data)

    def merge(self, a, b):
        return a + b

    def output(self, word, count):
        return {"word": word, "count": count}

    def output_key(self):
        return "word"
