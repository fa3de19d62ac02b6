"""Count words in text lines: a word is a run of letters, digits, underscores or apostrophes,
compared case-insensitively.

    mapreduce run word_count corpus.txt -o counts/

The fast path (same words): map_batch gets a block of lines at once. ASCII text is
lowercased and cut into words by one byte translation and Arrow's native split and
count; other text is lowercased and matched with the same regular expression as map(),
over the whole block at once (no word spans a line break, and a line break ends a
lowercasing context, so this is map() line by line).
"""

import re

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
        text = pa.array([data.translate(ASCII_WORDS).decode("ascii")], pa.large_string())
        words = pc.ascii_split_whitespace(text).flatten()
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        words = pa.array(WORD.findall(text.lower()), pa.large_string())
    counts = pc.value_counts(words)
    keys, values = counts.field(0), counts.field(1)
    real = pc.greater(pc.binary_length(keys), 0)  # the split leaves "" at the edges
    return {"key": keys.filter(real), "value": values.filter(real)}


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
