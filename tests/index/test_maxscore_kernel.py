"""The compiled top-k (index/_maxscore.c) gives exactly the numpy path's results.

Both run the same MaxScore and add in the same order, so the passages, their order and
their scores must be equal to the last bit, ties and pruning included.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.engine_numpy as engine_numpy
from index.engine_numpy import NumpyEngine
from index.settings import VARIANTS, IndexSettings

kernel = pytest.importorskip("index._maxscore", reason="built without a C compiler")


class LargeScratch:
    """The kernel handed scratch for 2**18 passages (its ORDERED_FROM), whatever the
    index's size: it then gathers candidates in passage order and merges dense lists, the
    path of large indexes, while postings still name the small index's passages."""

    SIZE = 1 << 18

    def __init__(self) -> None:
        n = self.SIZE
        self.total, self.aux = np.zeros(n), np.zeros(n)
        self.work, self.ids = np.zeros(2 * n), np.zeros(n, dtype=np.int32)

    def top_terms(self, doc, score, ptr, unit, peak, tiers, terms, k, plus, *_scratch):
        scratch = (self.total, self.aux, self.work, self.ids)
        return kernel.top_terms(doc, score, ptr, unit, peak, tiers, terms, k, plus, *scratch)

    def columns(self, *args):
        return kernel.columns(*args)


_LARGE = LargeScratch()  # one for all tests: hypothesis runs examples without fixtures


@pytest.fixture
def large_scratch() -> LargeScratch:
    return _LARGE


def numpy_top(engine: NumpyEngine, terms: list[str], k: int) -> list[tuple[int, float]]:
    engine.compiled = False
    try:
        return engine.top(terms, k)
    finally:
        engine.compiled = True


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_passages_order_and_scores(synthetic, variant):
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
    assert engine.compiled
    # A repeated term counts twice; k from one to more than any query's passages.
    queries = [*queries, queries[0] + queries[0][:1]]
    for terms in queries:
        for k in (1, 3, 10, 200, 10_000):
            assert engine.top(terms, k) == numpy_top(engine, terms, k), (terms, k)


@pytest.mark.parametrize("variant", VARIANTS)
def test_large_index_path_same_passages_order_and_scores(
    synthetic, variant, large_scratch, monkeypatch
):
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
    small = {(i, k): engine.top(terms, k) for i, terms in enumerate(queries) for k in (1, 10)}
    monkeypatch.setattr(engine_numpy, "_kernel", large_scratch)
    for i, terms in enumerate(queries):
        for k in (1, 3, 10, 200, 10_000):
            got = engine.top(terms, k)
            assert got == numpy_top(engine, terms, k), (terms, k)
            assert (i, k) not in small or got == small[i, k]
    assert not large_scratch.total.any() and not large_scratch.aux.any()


def test_large_index_path_unpruned_and_damaged(synthetic, large_scratch, monkeypatch):
    """Negative scores (no floor: NaN marks, zeroed after) and a posting outside the index
    on the large-index path: the same answers as numpy, the error, and scratch all zeros."""
    monkeypatch.setattr(engine_numpy, "_kernel", large_scratch)
    tokens = [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b", "b"], ["a"]]
    okapi = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant="okapi"))
    for terms in (["a"], ["a", "c"], ["b", "c"], ["b"]):
        for k in (1, 2, 5):
            assert okapi.top(terms, k) == numpy_top(okapi, terms, k)
    tokens, queries = synthetic
    arrays = dict(NumpyEngine.from_tokens(tokens, IndexSettings()).arrays)
    arrays["post_doc"] = arrays["post_doc"].copy()
    arrays["post_doc"][-1] = LargeScratch.SIZE + 5  # the last list's last posting
    broken = NumpyEngine(arrays, IndexSettings())
    every_term = sorted({term for terms in queries for term in terms})
    with pytest.raises(ValueError, match="outside the index"):
        for terms in [*queries, every_term]:
            broken.top(terms, 10)
    assert not large_scratch.total.any() and not large_scratch.aux.any()


def test_both_paths_take_the_same_candidates_whatever_the_bounds(large_scratch):
    """Random lists (a term of one tier each) with signed weights and bounds that need not
    hold, pruned or not (a negative bound turns pruning off): the large index's path
    (bitmap of candidates) and the small's (runs) return the same, to the last bit."""
    rng = np.random.default_rng(11)
    n = 60
    small = (np.zeros(n), np.zeros(n), np.zeros(2 * n), np.zeros(n, dtype=np.int32))
    large = (large_scratch.total, large_scratch.aux, large_scratch.work, large_scratch.ids)
    for case in range(400):
        docs, scores = [], []
        for _ in range(int(rng.integers(1, 6))):
            ids = np.sort(rng.choice(n, int(rng.integers(1, n)), replace=False))
            docs.append(ids.astype(np.int32))
            scores.append(rng.integers(0, 9, len(ids)).astype(np.uint16))
        count = len(docs)
        ptr = np.concatenate(([0], np.cumsum([len(d) for d in docs]))).astype(np.int64)
        unit = rng.uniform(-1.0, 2.0, count)
        peak = rng.uniform(0.0 if case % 2 else -1.0, 18.0, count)
        doc, score = np.concatenate(docs), np.concatenate(scores)
        terms = [(t, int(rng.integers(1, 3))) for t in range(count)]
        for k in (1, 2, 5, 70):
            args = (doc, score, ptr, unit, peak, 1, terms, k, 0.0)
            got = kernel.top_terms(*args, *large)
            assert got == kernel.top_terms(*args, *small), (terms, k)
    assert not large_scratch.total.any() and not large_scratch.aux.any()


@pytest.mark.parametrize("variant", VARIANTS)
def test_candidate_lookups_equal_the_numpy_path(synthetic, variant):
    """term_scores and holds for a few passages (the word ranker's questions): the kernel's
    binary searches give the numpy path's values to the last bit, absent passages included,
    each in the place it was asked whatever the order and repeats; a position outside the
    index holds nothing (the numpy path would wrap or raise)."""
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
    rng = np.random.default_rng(3)
    outside = [-1, len(tokens), len(tokens) + 7, 2**40]
    held_somewhere = 0
    for terms in queries[:20]:
        ids = rng.integers(0, len(tokens), 30).tolist()
        for term in [*terms, "never-indexed"]:
            compiled = engine.term_scores(term, ids), engine.holds(term, ids)
            held_somewhere += sum(compiled[1])
            engine.compiled = False
            try:
                assert compiled == (engine.term_scores(term, ids), engine.holds(term, ids))
            finally:
                engine.compiled = True
            assert not any(engine.holds(term, outside))
            assert all(s == 0.0 for s in engine.term_scores(term, outside))
            mixed = [ids[3], -1, *ids, ids[3], 2**40]
            scores, holds = engine.term_scores(term, mixed), engine.holds(term, mixed)
            assert (scores[2:-2], holds[2:-2]) == compiled
            assert scores[0] == scores[-2] == compiled[0][3]
            assert holds[0] == holds[-2] == compiled[1][3]
            assert (scores[1], holds[1], scores[-1], holds[-1]) == (0.0, False, 0.0, False)
    assert held_somewhere > 100  # the lookups found passages, not only absences


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_query_s_columns_in_one_call_equal_its_terms_one_by_one(synthetic, variant):
    """columns() asks the kernel for every term at once (absent and repeated terms too):
    the values, in the places, that each term asked alone through numpy gives."""
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
    ids = list(range(0, len(tokens), 13))
    for terms in queries[:30]:
        asked = [*terms, "never-indexed", terms[0]]
        together = engine.columns(asked, ids)
        engine.compiled = False
        try:
            assert together == [engine.columns([term], ids)[0] for term in asked], terms
        finally:
            engine.compiled = True
    assert engine.columns(queries[0], []) == [([], [])] * len(queries[0])


@pytest.mark.parametrize("compiled", [True, False])
def test_a_term_s_column_scores_its_holders_as_its_ranking_does(synthetic, compiled):
    """A passage's score for one term alone (columns, BM25+'s delta included) is its score
    when that term is the whole query (top): two computations, one answer."""
    tokens, queries = synthetic
    for variant in VARIANTS:
        engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
        engine.compiled = compiled
        for term in sorted({t for terms in queries[:10] for t in terms}):
            ranked = engine.top([term], 50)
            scores, held = engine.columns([term], [i for i, _ in ranked])[0]
            assert all(held)
            assert scores == pytest.approx([score for _, score in ranked], rel=1e-12), term


def test_bad_term_ids_are_refused(synthetic):
    tokens, _ = synthetic
    engine = NumpyEngine.from_tokens(tokens, IndexSettings())
    arrays = (engine._doc, engine._score, engine._ptr, engine._unit)
    vocabulary = len(engine._terms)
    for t in (-1, vocabulary):
        with pytest.raises(ValueError, match="outside the vocabulary"):
            kernel.columns(*arrays, engine._tiers, [t], [0])
        total, aux = engine._scratch()
        work, ids = engine._kernel_scratch()
        with pytest.raises(ValueError, match="outside the vocabulary"):
            kernel.top_terms(
                *arrays, engine._max, engine._tiers, [(t, 1)], 10, 0.0, total, aux, work, ids
            )
        for bad in ([t], [(0,)], [(0, 1, 2)], [(0, "1")]):  # not a (term id, times) pair
            with pytest.raises(TypeError):
                kernel.top_terms(
                    *arrays, engine._max, engine._tiers, bad, 10, 0.0, total, aux, work, ids
                )
    with pytest.raises(ValueError, match="disagree"):
        kernel.columns(*arrays, 7, [0], [0])
    beyond = engine._ptr.copy()
    beyond[2:] = len(engine._doc) + 1  # term 0's second tier ends past the postings
    damaged = (engine._doc, engine._score, beyond, engine._unit)
    for cands in ([0], [2**40]):  # a passage, or a number no passage has: refused alike
        with pytest.raises(ValueError, match="outside the postings"):
            kernel.columns(*damaged, engine._tiers, [0], cands)


def _strided(array: np.ndarray) -> np.ndarray:
    """The same values in a view that is not one contiguous piece."""
    doubled = np.repeat(array, 2)
    view = doubled[::2]
    assert not view.flags.c_contiguous and np.array_equal(view, array)
    return view


def test_postings_not_in_one_piece_are_ranked_by_numpy(synthetic):
    """The kernel reads postings as one contiguous block of int32 ids and uint16 scores; an
    engine given them otherwise (a view, wider ids) answers through numpy, the same."""
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, IndexSettings())
    for changed in (
        {"post_doc": _strided(engine.arrays["post_doc"])},
        {"post_score": _strided(engine.arrays["post_score"])},
        {"post_doc": engine.arrays["post_doc"].astype(np.int64)},
    ):
        other = NumpyEngine({**engine.arrays, **changed}, IndexSettings())
        assert not other.compiled
        ids = list(range(0, len(tokens), 97))
        for terms in queries[:20]:
            assert other.top(terms, 10) == engine.top(terms, 10), terms
            for term in terms:
                assert other.term_scores(term, ids) == engine.term_scores(term, ids)
                assert other.holds(term, ids) == engine.holds(term, ids)


def test_unpruned_when_scores_can_be_negative():
    # Mean IDF < 0: Okapi floors IDFs at a negative epsilon, and nothing may be pruned.
    tokens = [["a", "b"], ["a", "b"], ["a", "c"], ["a", "b", "b"], ["a"]]
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant="okapi"))
    for terms in (["a"], ["a", "c"], ["b", "c"], ["b"]):
        for k in (1, 2, 5):
            assert engine.top(terms, k) == numpy_top(engine, terms, k)


def test_scratch_is_left_zeroed(synthetic):
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, IndexSettings())
    for terms in queries:
        engine.top(terms, 10)
    total, aux = engine._scratch()
    assert not total.any() and not aux.any()


def test_a_damaged_posting_raises_and_harms_nothing(synthetic):
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, IndexSettings())
    terms = queries[0]
    want = engine.top(terms, 10)
    t = engine.term_id(terms[0])
    assert t is not None
    damaged = dict(engine.arrays)
    damaged["post_doc"] = engine.arrays["post_doc"].copy()
    damaged["post_doc"][int(engine.arrays["post_ptr"][2 * t])] = len(tokens) + 5
    broken = NumpyEngine(damaged, IndexSettings())
    with pytest.raises(ValueError, match="outside the index"):
        broken.top(terms, 10)
    total, aux = broken._scratch()
    assert not total.any() and not aux.any()
    assert engine.top(terms, 10) == want


@pytest.mark.parametrize("last", [False, True])
def test_a_damaged_posting_of_a_list_looked_up_raises(last):
    """A posting naming no passage, in a list only looked up for the candidates (read
    whole, or searched): refused, and the scratch left zeroed. A file's postings are
    checked at load; this is the kernel's own guard."""
    n, rng = 400, np.random.default_rng(8)
    first = np.arange(0, n, 2, dtype=np.int32)  # the essential list: half the passages
    second = np.sort(rng.choice(n, 150 if last else 4, replace=False)).astype(np.int32)
    second[-1 if last else 0] = n + 3  # beyond the index (out of order when first)
    doc = np.concatenate([first, second])
    score = np.full(len(doc), 5, dtype=np.uint16)
    ptr = np.array([0, len(first), len(doc)], dtype=np.int64)
    unit, peak = np.array([1.0, 0.01]), np.array([5.0, 0.05])
    scratch = (np.zeros(n), np.zeros(n), np.zeros(2 * n), np.zeros(n, dtype=np.int32))
    with pytest.raises(ValueError, match="outside the index"):
        kernel.top_terms(doc, score, ptr, unit, peak, 1, [(0, 1), (1, 1)], 3, 0.0, *scratch)
    assert not scratch[0].any() and not scratch[1].any()


def test_threads_rank_at_once(synthetic):
    tokens, queries = synthetic
    engine = NumpyEngine.from_tokens(tokens, IndexSettings())
    want = [engine.top(terms, 10) for terms in queries]
    got: dict[int, list[list[tuple[int, float]]]] = {}

    def run(n: int) -> None:
        got[n] = [engine.top(terms, 10) for terms in queries]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(got[n] == want for n in range(4))


def test_other_layouts_rank_with_numpy(synthetic):
    tokens, queries = synthetic
    arrays = NumpyEngine.from_tokens(tokens, IndexSettings()).arrays
    wide = NumpyEngine({**arrays, "post_doc": arrays["post_doc"].astype(np.int64)}, IndexSettings())
    assert not wide.compiled
    assert wide.top(queries[0], 10) == NumpyEngine(arrays, IndexSettings()).top(queries[0], 10)


def test_bad_arguments_are_refused():
    doc, score = np.zeros(4, dtype=np.int32), np.ones(4, dtype=np.uint16)
    ptr, unit, peak = np.array([0, 9], dtype=np.int64), np.ones(1), np.ones(1)
    scratch = (np.zeros(4), np.zeros(4), np.zeros(8), np.zeros(4, dtype=np.int32))
    with pytest.raises(ValueError, match="outside the postings"):
        kernel.top_terms(doc, score, ptr, unit, peak, 1, [(0, 1)], 1, 0.0, *scratch)
    ptr[1] = 4
    with pytest.raises(ValueError, match="disagree in length"):
        kernel.top_terms(doc, score, ptr, unit, np.ones(2), 1, [(0, 1)], 1, 0.0, *scratch)
    with pytest.raises(ValueError, match="items of 4 bytes"):
        kernel.top_terms(doc.astype(np.int64), score, ptr, unit, peak, 1, [], 1, 0.0, *scratch)
    assert kernel.top_terms(doc, score, ptr, unit, peak, 1, [], 1, 0.0, *scratch) == []
    assert kernel.top_terms(doc, score, ptr, unit, peak, 1, [(0, 1)], 3, 0.0, *scratch)


words = st.sampled_from("war peace treaty border china korea russia aid trade".split())


@settings(max_examples=150, deadline=None)
@given(
    passages=st.lists(st.lists(words, min_size=0, max_size=12), min_size=1, max_size=40),
    query=st.lists(words, min_size=1, max_size=6),
    k=st.integers(min_value=1, max_value=45),
    variant=st.sampled_from(VARIANTS),
    large=st.booleans(),
)
def test_any_library_any_query(passages, query, k, variant, large):
    """Random small libraries (ties everywhere, empty passages, repeated query words), on
    the small and the large index's path."""
    if not any(passages):
        return
    engine = NumpyEngine.from_tokens(passages, replace(IndexSettings(), variant=variant))
    original = engine_numpy._kernel
    engine_numpy._kernel = _LARGE if large else original
    try:
        assert engine.top(query, k) == numpy_top(engine, query, k)
    finally:
        engine_numpy._kernel = original


def test_holds_refuses_what_lies_outside_its_arrays():
    doc = np.array([0, 2, 5], dtype=np.int32)  # one list: owners 0, 2 and 5
    owner = np.array([0, 1, 2, 5], dtype=np.int32)  # passage i's owner
    assert kernel.holds(doc, [(0, 3), (1, 1)], owner, [0, 1, 3]) == [
        [True, False, True],
        [False, False, False],
    ]
    with pytest.raises(ValueError, match="outside the postings"):
        kernel.holds(doc, [(0, 4)], owner, [0])
    with pytest.raises(ValueError, match="outside the postings"):
        kernel.holds(doc, [(2, 1)], owner, [0])
    for cand in (-1, 4):
        with pytest.raises(IndexError, match="outside the passages"):
            kernel.holds(doc, [(0, 3)], owner, [cand])
    with pytest.raises(ValueError, match="items of 4 bytes"):
        kernel.holds(doc.astype(np.int64), [(0, 3)], owner, [0])


def _skewed_library(n: int = 4000) -> list[list[str]]:
    """Passages whose words lie unevenly: in a band at either end, in a narrow middle, in
    every seventh passage, or a few places only, so that a lookup's guess of where a
    passage lies in a list (index/_maxscore.c seek) is far off as often as near."""
    rng = np.random.default_rng(17)
    tokens = []
    for i in range(n):
        words = ["every"] * int(rng.integers(1, 4))
        words += ["early"] if i < 150 else []
        words += ["late"] if i >= n - 150 else []
        words += ["ends"] if i < 40 or i >= n - 40 else []
        words += ["middle"] if abs(i - n // 2) < 20 else []
        words += ["seventh"] if i % 7 == 0 else []
        words += ["rare"] if i in (3, 1999, n - 2) else []
        words += ["first"] if i == 0 else ["last"] if i == n - 1 else []
        tokens.append(words + [f"w{int(rng.integers(0, 300))}" for _ in range(3)])
    return tokens


@pytest.mark.parametrize("variant", VARIANTS)
def test_lookups_in_uneven_lists_equal_the_numpy_path(variant, large_scratch, monkeypatch):
    """Passages sought in lists whose passages bunch up (at the ends, in the middle, a few
    only): the compiled lookups, which guess a passage's place from the list's spread, find
    what numpy's binary searches find, in columns() and in the ranking's lookups (both
    candidate paths), for candidates anywhere, the list's first and last included."""
    tokens = _skewed_library()
    n = len(tokens)
    engine = NumpyEngine.from_tokens(tokens, replace(IndexSettings(), variant=variant))
    words = ["every", "early", "late", "ends", "middle", "seventh", "rare", "first", "last"]
    rng = np.random.default_rng(5)
    ids = sorted(
        {
            0,
            1,
            39,
            40,
            149,
            150,
            n // 2 - 20,
            n // 2,
            n // 2 + 19,
            n - 151,
            n - 150,
            n - 41,
            n - 40,
            n - 2,
            n - 1,
            *rng.integers(0, n, 40).tolist(),
        }
    )
    together = engine.columns(words, ids)
    queries = [[a, b, f"w{j}"] for a in words for b in words[::2] for j in (1, 7)]
    ranked = {k: [engine.top(q, k) for q in queries] for k in (1, 10, 30)}
    monkeypatch.setattr(engine_numpy, "_kernel", _LARGE)
    assert {k: [engine.top(q, k) for q in queries] for k in ranked} == ranked
    monkeypatch.undo()
    engine.compiled = False
    assert engine.columns(words, ids) == together
    assert {k: [engine.top(q, k) for q in queries] for k in ranked} == ranked
    assert sum(sum(held) for _, held in together) > 50  # found, not only absences
