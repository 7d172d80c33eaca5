"""The phrase shortcut (index/words.py): a leading candidate whose words cannot hold any of
the question's word pairs is given no phrase share without its text being tokenised, and
the answers are those of tokenising every candidate."""

from __future__ import annotations

from dataclasses import replace

import pytest

import index.words
from bench.corpus import Synthetic
from bench.run import assembled, synthetic_library
from index import IndexSettings, Searcher
from index.tokenize import word_pairs


@pytest.fixture(scope="module")
def synthetic_searcher() -> Searcher:
    texts = list(Synthetic(seed=7, vocabulary=400).passages(3000))
    passages, briefs = synthetic_library(texts)
    return Searcher(assembled(passages, briefs, replace(IndexSettings(), engine="numpy")))


QUESTIONS = [
    *Synthetic(seed=7, vocabulary=400).queries(40),
    "the border between China and North Korea",
    "Korea's border",
]


def answers(searcher: Searcher) -> list[list[tuple[str, float, float]]]:
    return [
        [(h.passage_id, h.score, h.coverage) for h in searcher.search(q, 10).hits]
        for q in QUESTIONS
    ]


@pytest.mark.parametrize("library", ["synthetic", "seed"])
def test_the_shortcut_changes_no_answer(library, synthetic_searcher, seed_library, monkeypatch):
    searcher = synthetic_searcher if library == "synthetic" else Searcher(seed_library)
    tokenised: list[str] = []

    def counted(text: str, pairs: frozenset[tuple[str, str]]) -> int:
        tokenised.append(text)
        return len(pairs & word_pairs(text))

    monkeypatch.setattr(index.words, "pairs_held", counted)
    fast = answers(searcher)
    with_shortcut = len(tokenised)
    monkeypatch.setattr(index.words, "plain_words", lambda text: False)
    searcher = Searcher(searcher.library)  # nothing kept from the first round
    assert answers(searcher) == fast
    if library == "synthetic":  # keyword questions: the shortcut spares most candidates
        assert with_shortcut < len(tokenised) / 2
