"""The numpy engine ranks like rank-bm25: same passages, same order, bar float ties."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.corpus import Synthetic
from index import encode
from index.aliases import Aliases
from index.engine import RankBM25Engine
from index.engine_numpy import ARRAY_NAMES, NumpyEngine
from index.postings_build import encode_tokens
from index.settings import VARIANTS, IndexSettings
from index.tokenize import tokenize

SEED_QUESTIONS = [
    "Why is China more important to North Korea than Russia?",
    "Kim Jong-un Putin summit",
    "sanctions nuclear missile tests",
    "border alliance treaty 1961",
    "Sino-Soviet split",
    "weather in Paris",
]


def quantum(engine, terms):
    """The most a score can be off: half a quantum of each query term's coarser tier."""
    bound = 0.0
    for term in terms:
        t = engine.term_id(term)
        if t is not None:
            bound += float(engine.arrays["post_unit"][2 * t : 2 * t + 2].max()) / 2
    return bound * (1 + 1e-6) + 1e-9


def assert_same_ranking(ours, theirs, baseline, terms, engine):
    """Same ids in the same order, except where rank-bm25's own scores are closer than
    the quantisation error (ties included).

    Our scores are sums of 16-bit quantised impacts (each within half a quantum of
    rank-bm25's), so passages whose true scores differ by less can swap, and only those.
    """
    model = baseline._model
    error = quantum(engine, terms)
    for (i, score), (j, their_score) in zip(ours, theirs, strict=True):
        assert abs(score - their_score) <= error
        if i != j:
            mine_by_them = model.get_batch_scores(list(terms), [i])[0]
            assert abs(mine_by_them - their_score) <= 2 * error


@pytest.mark.parametrize("variant", VARIANTS)
def test_seed_parity(seed_library, variant):
    settings = replace(IndexSettings(), variant=variant)
    tokens = [list(t) for t in seed_library.tokens]
    baseline, ours = RankBM25Engine(tokens, settings), NumpyEngine.from_tokens(tokens, settings)
    assert set(ours.vocabulary()) == set(baseline.vocabulary())
    for question in SEED_QUESTIONS:
        terms = list(dict.fromkeys(tokenize(question)))
        got, want = ours.top(terms, 10), baseline.top(terms, 10)
        assert [i for i, _ in got] == [i for i, _ in want]
        assert_same_ranking(got, want, baseline, terms, ours)
        for term in terms:
            assert ours.document_frequency(term) == baseline.document_frequency(term)


@pytest.mark.parametrize("variant", VARIANTS)
def test_synthetic_parity(synthetic, variant):
    tokens, queries = synthetic
    settings = replace(IndexSettings(), variant=variant)
    baseline, ours = RankBM25Engine(tokens, settings), NumpyEngine.from_tokens(tokens, settings)
    identical = 0
    for terms in queries:
        got, want = ours.top(terms, 10), baseline.top(terms, 10)
        assert_same_ranking(got, want, baseline, terms, ours)
        identical += [i for i, _ in got] == [i for i, _ in want]
    assert identical >= 0.9 * len(queries)


def test_only_passages_holding_a_term(seed_library):
    engine = NumpyEngine.from_tokens(seed_library.tokens, IndexSettings())
    assert engine.top(["zzzunknown"], 5) == []
    assert engine.top([], 5) == []
    for i, _ in engine.top(["putin"], 10):
        assert "putin" in seed_library.tokens[i]
    assert engine.document_frequency("zzzunknown") == 0


def test_refreshed_equals_a_fresh_build(synthetic):
    tokens, _ = synthetic
    settings = IndexSettings()
    old = NumpyEngine.from_tokens(tokens[:3000], settings)
    fresh = [["brandnewterm", *t[:5]] for t in tokens[3000:3100]]
    origin = [*range(0, 1000), *[-1] * len(fresh), *range(2000, 3000)]
    expected = [*tokens[:1000], *fresh, *tokens[2000:3000]]
    refreshed = NumpyEngine.refreshed(old, origin, encode_tokens(fresh), settings)
    built = NumpyEngine.from_tokens(expected, settings)
    for name in ARRAY_NAMES:  # the saved arrays: the refresh keeps no forward index
        assert np.array_equal(built.arrays[name], refreshed.arrays[name]), name
    with pytest.raises(LookupError):
        refreshed.tokens(1000)
    assert built.tokens(1000) == fresh[0]


def encode_tokens_terms(forward):
    return [t.decode("utf-8") for t in forward["terms"].tolist()]


def test_encoding_in_worker_processes_matches(monkeypatch):
    texts = list(Synthetic(seed=9, vocabulary=500).passages(400))
    # An alias group of two of the corpus's own words: workers annotate as build_index does.
    first, second = tokenize(texts[0])[:2]
    groups = [[first, second]]
    want = encode_tokens(Aliases(groups).annotate(tokenize(t)) for t in texts)
    assert f"~{first}" in set(encode_tokens_terms(want))
    monkeypatch.setattr(encode, "PARALLEL_FROM", 0)
    monkeypatch.setattr(encode, "_CHUNK", 100)
    for workers in (1, 2):
        got = encode.encode_texts(texts, groups, workers=workers)
        for name, array in want.items():
            assert np.array_equal(got[name], array), name


def test_negative_okapi_scores_are_not_pruned():
    # Mean IDF < 0, so rank-bm25's Okapi floors IDFs at a negative epsilon.
    tokens = [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b", "b"], ["a"]]
    settings = replace(IndexSettings(), variant="okapi")
    baseline, ours = RankBM25Engine(tokens, settings), NumpyEngine.from_tokens(tokens, settings)
    for terms in (["a"], ["a", "c"], ["b", "c"], ["b"]):
        got, want = ours.top(terms, 2), baseline.top(terms, 2)
        assert [i for i, _ in got] == [i for i, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)


@pytest.mark.parametrize("variant", VARIANTS)
def test_alias_group_terms_do_not_lengthen_a_passage(variant):
    """Group terms annotate names already counted as words: both engines leave them out
    of a passage's length, so naming Moscow does not push a passage down."""
    settings = replace(IndexSettings(), variant=variant)
    # Passages 0 and 1 have three words each; 1 also has three group terms.
    annotated = [["a", "b", "c"], ["a", "d", "e", "~x", "~y", "~z"], ["f", "g", "h"]]
    for engine in (
        RankBM25Engine(annotated, settings),
        NumpyEngine.from_tokens(annotated, settings),
    ):
        same_a = engine.term_scores("a", [0, 1])
        assert same_a[0] == pytest.approx(same_a[1])
        assert engine.term_scores("b", [0]) == pytest.approx(engine.term_scores("d", [1]))


def test_encoding_without_aliases_gives_tokenize_tokens():
    """The build's fast path (ids per distinct word match) keeps tokenize()'s tokens."""
    texts = [
        *Synthetic(seed=11, vocabulary=400).passages(300),
        "Kim Jong-un met Putin in the US; the PRC\u2019s envoy \u2013 and Sino\u2010Soviet ties.",
        "IT and it, 1,350 troops, the Leaders' summit, co-operation, e-mail\u00ad",
        "",
    ]
    want = encode_tokens(tokenize(t) for t in texts)
    got = encode.encode_texts(texts, [], workers=1)
    for name, array in want.items():
        assert np.array_equal(got[name], array), name
