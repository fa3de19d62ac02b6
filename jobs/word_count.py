"""Count words in text lines: a word is a run of letters, digits, underscores or apostrophes,
compared case-insensitively.

    mapreduce run word_count corpus.txt -o counts/
"""

import re

from mapreduce import Job

WORD = re.compile(r"[\w']+")


class WordCount(Job):
    """How often each word occurs."""

    def map(self, line):
        if type(line) is not str:
            line = str(line)
        for word in WORD.findall(line.lower()):
            yield word, 1

    def merge(self, a, b):
        return a + b

    def output(self, word, count):
        return {"word": word, "count": count}
