"""How common a word is in English at large, for the words of a question the briefs lack.

An 8-paragraph brief cannot tell `something` from `armistice`: both are absent, so both
get the highest IDF. wordfreq's Zipf scale (log10 of uses per billion words; `the` is
7.7, `armistice` 3.2, a typo such as `santions` 0) tells them apart. Imported on first
use: most questions use only words the briefs hold.
"""

from __future__ import annotations

from functools import lru_cache

# Below this a word is a typo or a rare name, not an English word (`durring` 1.5,
# `Shoygu` 1.3; `vying` 2.9, `playbook` 3.3).
ENGLISH_WORD = 2.5
# Zipf values between which an absent word goes from counting little to counting fully.
COMMON, RARE = 6.0, 3.0


@lru_cache(maxsize=1 << 16)
def zipf(word: str) -> float:
    """How common `word` is in English, on the Zipf scale (0 when unknown)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _zipf_or_less(word: str) -> float:
    """zipf(word) from ENGLISH_WORD up; below it, perhaps less: all the two functions below
    tell apart. Most words come from a table, without loading wordfreq (0.2 s a process:
    index/english_table.py)."""
    from index.english_table import common_zipf

    found = common_zipf(word)
    return zipf(word) if found is None else found


def is_english_word(word: str) -> bool:
    """True for a real English word (not to be 'corrected' to a word of the briefs)."""
    return _zipf_or_less(word) >= ENGLISH_WORD


def rarity(word: str) -> float:
    """0 for the commonest words, 1 for rare ones, linear between: how much a word the
    briefs lack says about what the question asks."""
    return min(1.0, max(0.0, (COMMON - _zipf_or_less(word)) / (COMMON - RARE)))
