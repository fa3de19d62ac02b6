"""Text types: words, sentences and paragraphs from the locale's word list, optionally Zipfian.

`zipf` (a datagen extension) gives word rank r a weight of 1/(r + 2.7)**zipf: Zipf's law with
Mandelbrot's offset, the long-tailed shape of real text. Word-count jobs then see a few very
common words (the top one about 6% of all words, like "the" in English) and many rare ones.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join
from datagen.types.lists import text as lists_text
from datagen.types.options import Options
from datagen.types.pools import Pool, derive_seed, element_pool, pool_type
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["word_pool"]

MANDELBROT = 2.7


@lru_cache(maxsize=32)
def word_pool(locale: str, seed: int, zipf: float) -> Pool:
    """The locale's words, uniform or Zipf-weighted over a seeded ranking."""
    words = element_pool(locale, "word_list", "word").values
    if zipf <= 0:
        return Pool(words)
    order = np.random.default_rng(derive_seed(seed, "zipf-rank", locale)).permutation(len(words))
    weights = 1.0 / (np.arange(1, len(words) + 1, dtype=np.float64) + MANDELBROT) ** zipf
    cdf = np.cumsum(weights) / weights.sum()
    cdf[-1] = 1.0
    return Pool(words.take(order), cdf)


def _grouped(items: pa.Array, counts: np.ndarray, sep: str) -> pa.Array:
    """Join consecutive runs of `items` (run i has counts[i] items) with `sep`."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), items), sep)


def _words(pool: Pool, rng: np.random.Generator, counts: np.ndarray) -> pa.Array:
    return _grouped(pool.strings(rng, int(counts.sum())), counts, " ")


def _sentences(pool: Pool, rng: np.random.Generator, counts: np.ndarray) -> pa.Array:
    lengths = rng.integers(4, 13, int(counts.sum()))
    sentences = join(pc.utf8_capitalize(_words(pool, rng, lengths)), ".")
    return _grouped(sentences, counts, " ")


def _paragraphs(pool: Pool, rng: np.random.Generator, counts: np.ndarray) -> pa.Array:
    sizes = rng.integers(3, 7, int(counts.sum()))
    return _grouped(_sentences(pool, rng, sizes), counts, "\n")


def _text_type(
    name: str,
    summary: str,
    lo: int,
    hi: int,
    make: Callable[[Pool, np.random.Generator, np.ndarray], pa.Array],
) -> None:
    @field_type(
        name,
        "Text",
        summary,
        (f"min={lo}", f"max={hi}", "zipf=0 (e.g. 1.1 for Zipf-distributed words)"),
    )
    def build(opts: Options, ctx: Context) -> Sampler:
        low, high = opts.span("min", "max", lo, hi)
        if low < 0 or low != int(low) or high != int(high):
            raise opts.fail(
                "min", f"and 'max' must be whole numbers from 0, got {low:g} and {high:g}"
            )
        zipf = opts.number("zipf", 0)
        if zipf < 0:
            raise opts.fail("zipf", f"must be 0 (uniform) or a positive exponent, got {zipf:g}")
        pool = word_pool(ctx.locale, ctx.seed, zipf)

        def sample(b: Batch) -> pa.Array:
            return make(pool, b.rng, b.rng.integers(int(low), int(high) + 1, b.size))

        return sample


_text_type("Words", "space-separated words", 5, 10, _words)
_text_type("Sentences", "capitalised sentences ending with a full stop", 1, 3, _sentences)
_text_type("Paragraphs", "paragraphs of sentences, one per line", 1, 3, _paragraphs)


pool_type(
    "Naughty String",
    "Text",
    "strings that break software: reserved words, injections, odd Unicode",
    lists_text.NAUGHTY_STRINGS,
)
pool_type("Nato Phonetic", "Text", "Alfa, Bravo, Charlie ... Zulu", lists_text.NATO)
