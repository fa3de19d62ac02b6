"""Words, Sentences and Paragraphs: counts honoured, and the Zipf option is long-tailed."""

from __future__ import annotations

from collections import Counter

from tests.datagen.support import sample


def test_word_counts_within_bounds() -> None:
    counts = {len(v.split()) for v in sample("Words", min=2, max=4)}
    assert counts == {2, 3, 4}


def test_sentences_and_paragraphs_counts() -> None:
    assert {v.count(".") for v in sample("Sentences", 500, min=2, max=2)} == {2}
    assert {v.count("\n") + 1 for v in sample("Paragraphs", 300, min=1, max=3)} == {1, 2, 3}


def test_zipf_makes_a_few_words_dominant() -> None:
    words = Counter(
        w for line in sample("Words", 3000, min=10, max=10, zipf=1.1) for w in line.split()
    )
    ranked = [c for _, c in words.most_common()]
    assert ranked[0] > 3 * ranked[9] > 0
    assert 0.04 < ranked[0] / sum(ranked) < 0.09  # like "the" in English text
    assert ranked[-1] < ranked[0] / 100  # a long tail of rare words
    uniform = Counter(w for line in sample("Words", 3000, min=10, max=10) for w in line.split())
    assert max(uniform.values()) < 3 * min(uniform.values()) + 20
