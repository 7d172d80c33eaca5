"""Synthetic corpora for the benchmark and the parity test: fixed seeds, no downloads.

Passages are 60-120 pseudo-words drawn from a Zipf-Mandelbrot law over a
vocabulary of content words (the tokeniser drops stopwords, so only content
words matter), p(rank r) ~ 1 / (r + 60) ** 1.07: the commonest word is in about a
fifth of the passages, as "china" or "government" might be in a policy archive.
Queries are 3-8 words drawn from the same law, so they hit common words too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

VOCABULARY = 100_000
ZIPF_S = 1.07
ZIPF_Q = 60.0
_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "t", "v", "z", "br", "tr", "kl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
_SYLLABLES = [o + v for o in _ONSETS for v in _VOWELS]  # 112 syllables


def word(rank: int) -> str:
    """The pseudo-word of a rank: syllables spelling the rank in base 112, plus a coda."""
    parts = []
    n = rank
    while True:
        parts.append(_SYLLABLES[n % len(_SYLLABLES)])
        n //= len(_SYLLABLES)
        if not n:
            break
    return "".join(parts) + "n"


def _weights(vocabulary: int) -> np.ndarray:
    w = 1.0 / (np.arange(1, vocabulary + 1) + ZIPF_Q) ** ZIPF_S
    return w / w.sum()


class Synthetic:
    """A reproducible stream of synthetic passages and queries."""

    def __init__(self, seed: int = 20261128, vocabulary: int = VOCABULARY) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = np.array([word(r) for r in range(vocabulary)], dtype=object)
        self.cdf = np.cumsum(_weights(vocabulary))

    def _draw(self, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.cdf) - 1)

    def passages(self, count: int, batch: int = 10_000) -> Iterator[str]:
        """`count` passages of 60-120 words, capitalised and ending in a full stop."""
        done = 0
        while done < count:
            n = min(batch, count - done)
            lengths = self.rng.integers(60, 121, n)
            ranks = self._draw(int(lengths.sum()))
            at = 0
            for length in lengths:
                text = " ".join(self.words[ranks[at : at + length]])
                at += length
                yield text[0].upper() + text[1:] + "."
            done += n

    def queries(self, count: int) -> list[str]:
        """`count` queries of 3-8 words, as a user would type them."""
        return [" ".join(self.words[self._draw(int(n))]) for n in self.rng.integers(3, 9, count)]


_PARAGRAPH_WORD = re.compile(r"[A-Za-z]{4,}")


def seed_briefs(seed_text: str, count: int, target: Path, seed: int = 7) -> list[Path]:
    """Write `count` briefs made from the seed brief, every paragraph perturbed.

    Each copy swaps a quarter of the longer words for pseudo-words, so the briefs
    read like the real one (sentence lengths, punctuation) but are not identical.
    """
    rng = np.random.default_rng(seed)
    synthetic = Synthetic(seed=seed, vocabulary=20_000)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):

        def swap(match: re.Match[str]) -> str:
            if rng.random() < 0.25:
                return str(synthetic.words[synthetic._draw(1)[0]])
            return match.group()

        path = target / f"brief-{n:05d}.txt"
        path.write_text(_PARAGRAPH_WORD.sub(swap, seed_text), encoding="utf-8")
        paths.append(path)
    return paths
