"""The phrase shortcut (index/tokenize.py lacks_pairs): a leading candidate whose words cannot
hold any of the question's word pairs is given no phrase share without its text being
tokenised. Each one it spares must hold none of them when tokenised: then the answers are
those of tokenising every candidate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.corpus import Synthetic
from bench.run import assembled, synthetic_library
from index import IndexSettings, Searcher
from index.question import read_question
from index.search import RERANK_DEPTH
from index.tokenize import lacks_pairs, pair_needs, word_pairs
from index.words import PHRASE_DEPTH


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


@pytest.mark.parametrize("library", ["synthetic", "seed"])
def test_a_candidate_the_shortcut_spares_holds_none_of_the_pairs(
    library, synthetic_searcher, seed_library
):
    # The leading candidates of every question with word pairs, as the search ranks them:
    # each the shortcut gives no share without tokenising holds none of the pairs when
    # tokenised (so its share, and the answer, would be the same without it).
    searcher = synthetic_searcher if library == "synthetic" else Searcher(seed_library)
    spared = leading = 0
    for text in QUESTIONS:
        question = read_question(text)
        if not question.pairs:
            continue
        found = searcher.words.rank(question, RERANK_DEPTH)
        needs = pair_needs(question.pairs, found.terms)
        for scored in found.ranked[:PHRASE_DEPTH]:
            passage = searcher.library.passages[scored.passage].text
            leading += 1
            if lacks_pairs(scored.held, needs, passage):
                spared += 1
                assert not question.pairs & word_pairs(passage), (text, scored.passage)
    assert leading
    if library == "synthetic":  # keyword questions: some candidates are spared (18 of 400)
        assert spared
