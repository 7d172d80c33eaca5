"""WordRanker.score works column by column (a term's or a concept's values over all the
candidates at once): each candidate's BM25 score, coverage and held terms must equal, to
the last bit, what asking the engine about each candidate in turn gives, the way a reader
of the definitions would compute them. Ties between candidates fall on these floats."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.corpus import Synthetic
from bench.run import assembled, synthetic_library
from index import IndexSettings, Searcher, build_index
from index.question import read_question
from index.sentences import sentence_spans
from index.words import CONTEXT_WEIGHT, WordRanker, WordRanking
from tests.conftest import SEEDS

# Aliases (DPRK, PRC), a hyphenated name (a concept of two phrases, one of two terms), a
# typo, framing words and a word weighed down (less than 1), a word the briefs lack.
SEED_QUESTIONS = [
    "nuclear weapons programme",
    "How long is the border between China and North Korea?",
    "DPRK PRC border",
    "What did Kim Jong-un say about the Soviet Unoin?",
    "Why does China matter more to North Korea than Russia does, and what happened?",
    "penguins in Pyongyang",
    "Can North Korea play off Russia against China?",
]


def reference(ranker: WordRanker, found: WordRanking, i: int) -> tuple[float, float, set[str]]:
    """Score, coverage and held terms of passage i, one candidate at a time."""
    engine = ranker.library.engine
    held = {t for t in found.terms if engine.holds(t, [i])[0]}
    score = 0.0
    for concept in found.concepts:
        best = max(sum(engine.term_scores(t, [i])[0] for t in phrase) for phrase in concept.phrases)
        score += best * concept.weight_factor
    total = sum(found.weights)
    if not total:
        return score, 0.0, held
    # The brief's title and standfirst tokenised here, whatever the library keeps of them.
    info = ranker.library.briefs[ranker.library.passages.brief_of(i)]
    context = set(ranker.terms_of(f"{info.title}\n{info.standfirst}"))
    share = 0.0
    for concept, weight in zip(found.concepts, found.weights, strict=True):
        if any(held.issuperset(p) for p in concept.phrases):
            share += weight
        elif any(context.issuperset(p) for p in concept.phrases):
            share += weight * CONTEXT_WEIGHT
    return score, share / total, held


def assert_columns_equal_reference(searcher: Searcher, questions: list[str]) -> int:
    ranker, compared = searcher.words, 0
    for text in questions:
        found = ranker.rank(read_question(text), 30)
        ids = list(range(min(len(searcher.library.passages), 40)))
        ids += [s.passage for s in found.ranked]
        for scored in ranker.score(found, ids):
            score, coverage, held = reference(ranker, found, scored.passage)
            assert (scored.score, scored.coverage, set(scored.held)) == (score, coverage, held)
            compared += 1
    return compared


@pytest.mark.parametrize("engine", ["rank-bm25", "numpy"])
def test_seed_scores_equal_one_candidate_at_a_time(engine):
    searcher = Searcher(build_index(SEEDS, replace(IndexSettings(), engine=engine)))
    concepts = [c for q in SEED_QUESTIONS for c in searcher.concepts(q)]
    assert any(len(c.phrases) > 1 and max(map(len, c.phrases)) > 1 for c in concepts)
    assert any(c.weight_factor != 1 for c in concepts)
    assert assert_columns_equal_reference(searcher, SEED_QUESTIONS) > 100


def test_synthetic_scores_equal_one_candidate_at_a_time():
    texts = list(Synthetic(seed=11, vocabulary=300).passages(600))
    passages, briefs = synthetic_library(texts)
    library = assembled(passages, briefs, replace(IndexSettings(), engine="numpy"))
    questions = Synthetic(seed=11, vocabulary=300).queries(25)
    assert assert_columns_equal_reference(Searcher(library), questions) > 500


def test_sentence_terms_are_each_sentences_terms_however_many_are_kept(seed_library, monkeypatch):
    """The terms a best sentence is chosen by are kept per sentence: asked again, after
    other sentences, or past the limit of those kept, they are the sentence's own."""
    monkeypatch.setattr("index.words.SENTENCES_KEPT", 5)
    ranker = WordRanker(seed_library)
    sentences = [
        p.text[start:end]
        for p in list(seed_library.passages)[:12]
        for start, end in sentence_spans(p.text)
    ]
    assert len(set(sentences)) > 10
    for _ in range(2):
        for sentence in sentences:
            assert ranker.sentence_terms(sentence) == frozenset(ranker.terms_of(sentence))
            assert len(ranker._sentences) <= 5
