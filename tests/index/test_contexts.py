"""Brief contexts (the terms of each brief's title and standfirst) as the mapped file keeps
them, postings per term, answer as the briefs' own term sets do."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.mapped_arrays import context_arrays
from index.mapped_contexts import ContextTable

WORDS = ["china", "korea", "border", "café", "中国", "a", "ab", "abc", "zz"]


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[list[str]], list[int]]:
    """Each brief's context terms, and each passage's brief (a brief's passages together)."""
    contexts = draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=1, max_size=12))
    counts = draw(st.lists(st.integers(1, 3), min_size=len(contexts), max_size=len(contexts)))
    return contexts, [b for b, n in enumerate(counts) for _ in range(n)]


@given(libraries(), st.data())
def test_postings_answer_as_the_briefs_term_sets(library, data):
    contexts, p_brief = library
    table = ContextTable({**context_arrays(contexts), "p_brief": np.array(p_brief, np.int32)})
    ids = data.draw(st.lists(st.integers(0, len(p_brief) - 1), max_size=30))
    terms = [*WORDS, "absent", "chin", "chinaa"]
    want = [[t in set(contexts[p_brief[i]]) for i in ids] for t in terms]
    assert table.compiled  # index/_maxscore.c's holds, as CI builds it
    assert table.holds(terms, ids) == want
    table.compiled = False  # numpy's searches: the same answers
    assert table.holds(terms, ids) == want


def test_postings_are_sorted_terms_and_ascending_briefs():
    arrays = context_arrays([["korea", "china"], [], ["china", "china", "border"]])
    assert arrays["ctx_terms"].tolist() == [b"border", b"china", b"korea"]
    assert arrays["ctx_ptr"].tolist() == [0, 1, 3, 4]
    assert arrays["ctx_brief"].tolist() == [2, 0, 2, 0]
    assert arrays["ctx_brief"].dtype == np.int32
