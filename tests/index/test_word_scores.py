"""WordRanker.score works column by column (a term's or a concept's values over all the
candidates at once): each candidate's BM25 score, coverage and held terms must equal, to
the last bit, what asking the engine about each candidate in turn gives, the way a reader
of the definitions would compute them. Ties between candidates fall on these floats."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import Synthetic
from bench.run import assembled, synthetic_library
from index import IndexSettings, Searcher, build_index, words
from index.query import Concept
from index.question import read_question
from index.sentences import sentence_spans
from index.words import CONTEXT_WEIGHT, WordRanker, WordRanking, _combined
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


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("engine", ["rank-bm25", "numpy"])
def test_seed_scores_equal_one_candidate_at_a_time(engine, compiled, monkeypatch):
    if not compiled:
        monkeypatch.setattr(words, "_concepts", None)
    elif words._concepts is None:
        pytest.skip("built without a C compiler")
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


TERMS = ["a", "b", "c", "d", "e"]
# Scores a column may hold: ties, zeros of both signs, negatives (Okapi's floored IDF),
# and values whose sums round differently in another order.
SCORES = st.sampled_from([0.0, -0.0, 1.0, 2.5, -1.25, 0.1, 0.2, 0.3, 1e16, 1.0000000000000002])


@st.composite
def question_columns(draw):
    """A question's terms, concepts (phrases of those terms, repeats allowed) and each
    term's column over n candidates."""
    n = draw(st.integers(0, 40))
    terms = TERMS[: draw(st.integers(1, len(TERMS)))]
    phrase = st.lists(st.sampled_from(terms), max_size=3).map(tuple)
    concepts = [
        Concept(("w",), tuple(draw(st.lists(phrase, min_size=1, max_size=3))), factor)
        for factor in draw(st.lists(st.sampled_from([1.0, 0.5, 0.3, 2]), max_size=4))
    ]
    column = st.tuples(
        st.lists(SCORES, min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n)
    )
    columns = [draw(column) for _ in terms]
    return WordRanking(concepts, [1.0] * len(concepts), terms, []), columns, n


@settings(max_examples=500, deadline=None)
@given(question_columns())
def test_compiled_concept_scores_equal_pythons_to_the_bit(case):
    """index/_concepts.c adds, takes the best phrase and decides what is held as the
    Python helpers do: the same floats bit for bit (ties fall on them), sets and rows."""
    if words._concepts is None:
        pytest.skip("built without a C compiler")
    found, columns, n = case
    compiled = _combined(found, columns, n)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(words, "_concepts", None)
        python = _combined(found, columns, n)
    assert [x.hex() for x in compiled[0]] == [x.hex() for x in python[0]]
    assert compiled[1:] == python[1:]


def test_compiled_concept_scores_refuse_what_they_cannot_read():
    kernel = pytest.importorskip("index._concepts", reason="built without a C compiler")
    good = (2, ["a"], [[1.0, 2.0]], [[True, False]], [((0,),)], [1.0])
    assert kernel.combine(*good)[0] == [1.0, 2.0]
    bad = [
        (2, ["a"], [[1.0]], [[True, False]], [((0,),)], [1.0]),  # a short column
        (2, ["a"], [[1.0, 2.0]], [[True, False]], [((1,),)], [1.0]),  # no term 1
        (2, ["a"], [[1.0, 2.0]], [[True, False]], [()], [1.0]),  # a concept of no phrase
        (2, ["a"], [[1.0, 2.0]], [[True, False]], [((0,),)], []),  # no factor
        (2, ["a"], [[1.0, "x"]], [[True, False]], [((0,),)], [1.0]),  # not a number
    ]
    for args in bad:
        with pytest.raises((ValueError, TypeError)):
            kernel.combine(*args)


WEIGHTS = st.sampled_from([0.0, 0.1, 0.2, 0.3, 1.0, 2.5, 7.1, 1e-9, 1.0000000000000002])


@st.composite
def coverage_cases(draw):
    """Concept weights, whether each of n candidates holds each concept, and for those
    lacking one, whether its brief's title holds each."""
    weights = draw(st.lists(WEIGHTS, min_size=1, max_size=6))
    row = st.tuples(*[st.booleans()] * len(weights))
    rows = draw(st.lists(row, max_size=40))
    lacking = [j for j, held in enumerate(rows) if not all(held)]
    in_context = [draw(row) for _ in lacking]
    return weights, rows, lacking, in_context


@settings(max_examples=500, deadline=None)
@given(coverage_cases())
def test_compiled_coverages_equal_pythons_to_the_bit(case):
    """index/_concepts.c's coverages add the weights as _shares does, in the concepts'
    order: the same floats bit for bit (coverage decides the order of near ties)."""
    kernel = pytest.importorskip("index._concepts", reason="built without a C compiler")
    weights, rows, lacking, in_context = case
    total = sum(weights)
    if not total:
        return  # _coverages answers 0.0 without adding
    python = words._shares(weights, total, rows, lacking, in_context)
    compiled = kernel.coverages(weights, total, rows, lacking, in_context, words.CONTEXT_WEIGHT)
    assert [x.hex() for x in compiled] == [x.hex() for x in python]


def test_compiled_coverages_refuse_what_they_cannot_read():
    kernel = pytest.importorskip("index._concepts", reason="built without a C compiler")
    rows = [(True, False), (True, True)]
    assert kernel.coverages([1.0, 3.0], 4.0, rows, [0], [(False, True)], 0.5) == [0.625, 1.0]
    bad = [
        ([1.0, 3.0], 4.0, rows, [0], [], 0.5),  # no title row for the lacking one
        ([1.0, 3.0], 4.0, rows, [2], [(False, True)], 0.5),  # no candidate 2
        ([1.0, 3.0], 4.0, rows, [0], [(False,)], 0.5),  # a short title row
        ([1.0], 4.0, rows, [0], [(False, True)], 0.5),  # rows longer than the weights
        ([1.0, "x"], 4.0, rows, [0], [(False, True)], 0.5),  # not a number
    ]
    for args in bad:
        with pytest.raises((ValueError, TypeError, IndexError)):
            kernel.coverages(*args)


# Scores and coverages with near and exact ties: equal keys fall to passage order.
SCORES = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.3, 1e-12, 0.30000000000000004, 7.25])
SHARES = st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 1.0])


@st.composite
def candidates(draw):
    """Candidates (distinct passages, tied scores likely) and perhaps their phrase shares."""
    passages = draw(st.lists(st.integers(0, 10**9), unique=True, max_size=40))
    ranked = [
        words.Scored(draw(SHARES), draw(SCORES), passage, frozenset(), ()) for passage in passages
    ]
    phrases = draw(st.none() | st.lists(SHARES, min_size=len(ranked), max_size=len(ranked)))
    return ranked, phrases


@settings(max_examples=500, deadline=None)
@given(candidates())
def test_compiled_order_is_pythons(case):
    """index/_concepts.c's in_order sorts the candidates by the keys _in_order's Python
    makes (the same arithmetic, then passage order): the same order, ties included."""
    if words._concepts is None:
        pytest.skip("built without a C compiler")
    ranked, phrases = case
    compiled = words._in_order(ranked, phrases)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(words, "_concepts", None)
        python = words._in_order(ranked, phrases)
    assert compiled == python
    assert sorted(compiled) == sorted(ranked)  # each candidate once


def test_compiled_order_refuses_what_it_cannot_read():
    kernel = pytest.importorskip("index._concepts", reason="built without a C compiler")
    one = words.Scored(1.0, 2.0, 7)
    assert kernel.in_order([one, words.Scored(1.0, 2.0, 3)], None, 0.5)[0].passage == 3
    bad = [
        ((one,), None, 0.5),  # not a list
        ([one], [0.1, 0.2], 0.5),  # a share too many
        ([(1.0, 2.0)], None, 0.5),  # no passage
        ([(1.0, "x", 7)], None, 0.5),  # a score that is not a number
        ([one], ["x"], 0.5),  # a share that is not a number
        ([one], None),  # no weight
    ]
    for args in bad:
        with pytest.raises((ValueError, TypeError)):
            kernel.in_order(*args)
