"""The compiled postings builder (index/_postings.c) gives exactly numpy's postings."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.corpus import Synthetic
from index import postings_build
from index.postings_build import _triples_numpy, encode_tokens, triples
from index.settings import VARIANTS, IndexSettings
from index.tokenize import tokenize

kernel = pytest.importorskip("index._postings", reason="built without a C compiler")


def test_same_postings_as_numpy():
    texts = [*Synthetic(seed=3, vocabulary=800).passages(1500), "", "war war war war", ""]
    forward = encode_tokens(tokenize(t) for t in texts)
    got = triples(forward)
    want = _triples_numpy(forward["doc_ptr"], forward["doc_terms"])
    for ours, theirs in zip(got, want, strict=True):
        assert ours.dtype == theirs.dtype == np.int32
        assert np.array_equal(ours, theirs)
    # A word four times in one passage is one posting with a count of four.
    war = int(np.flatnonzero(forward["terms"] == b"war")[0])
    last = len(texts) - 2
    assert got[2][(got[0] == war) & (got[1] == last)].tolist() == [4]


def test_damaged_forward_index_is_refused():
    ptr = np.array([0, 2, 3], dtype=np.int64)
    df = np.zeros(2, dtype=np.int64)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        kernel.count(ptr, np.array([0, 1, 7], dtype=np.uint32), df)
    with pytest.raises(ValueError, match="not in order"):
        kernel.count(np.array([0, 3, 2, 3], dtype=np.int64), np.zeros(3, dtype=np.uint32), df)
    with pytest.raises(ValueError, match="does not span"):
        kernel.count(ptr, np.zeros(5, dtype=np.uint32), df)
    ids = np.array([0, 1, 1], dtype=np.uint32)
    assert kernel.count(ptr, ids, df) == 3 and df.tolist() == [1, 2]
    out = [np.zeros(3, dtype=np.int32) for _ in range(3)]
    with pytest.raises(ValueError, match="df does not"):
        kernel.fill(ptr, ids, np.array([2, 1], dtype=np.int64), *out)
    kernel.fill(ptr, ids, df, *out)
    assert [a.tolist() for a in out] == [[0, 1, 1], [0, 0, 1], [1, 1, 1]]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("b", [0.0, 0.75, 1.0])
def test_same_scored_postings_as_numpy(variant, b):
    texts = [*Synthetic(seed=4, vocabulary=600).passages(1200), "war " * 300, "x"]
    forward = encode_tokens(tokenize(t) for t in texts)
    settings = replace(IndexSettings(), variant=variant, b=b)
    got = postings_build.score_postings(forward, settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postings_build, "_postings", None)
        want = postings_build.score_postings(forward, settings)
    assert got.keys() == want.keys()
    for name, array in want.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name
    assert got["tf_over"].tolist() == [300]  # a count over 255 kept exactly


def test_passages_without_words_score_as_numpy():
    # Every passage's length is 0 words (only alias group terms): avgdl is 0.
    forward = encode_tokens([["~a"], ["~a", "~b"]])
    got = postings_build.score_postings(forward, IndexSettings())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postings_build, "_postings", None)
        want = postings_build.score_postings(forward, IndexSettings())
    for name, array in want.items():
        assert np.array_equal(got[name], array, equal_nan=True), name
