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


def _ordered_numpy(ptr: np.ndarray, doc: np.ndarray, n: int) -> bool:
    """The same question asked slice by slice, the plain way."""
    for first, end in zip(ptr[:-1].tolist(), ptr[1:].tolist(), strict=True):
        if first < 0 or end < first or end > doc.size:
            return False
        part = doc[first:end].astype(np.int64)
        if part.size and (part.min() < 0 or part.max() >= n or (np.diff(part) <= 0).any()):
            return False
    return True


def test_ordered_postings_agree_with_numpy_on_damage_of_every_kind():
    """The load check of a mapped file's postings (index/mapped_check.py), in C: the same
    verdict as numpy on a sound index and on each kind of damage."""
    rng = np.random.default_rng(5)
    n, sizes = 1000, rng.integers(0, 40, size=300)
    doc = np.concatenate([np.sort(rng.choice(n, s, replace=False)) for s in sizes])
    doc = doc.astype(np.int32)
    ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    assert kernel.ordered(ptr, doc, n) and _ordered_numpy(ptr, doc, n)
    j = int(ptr[np.flatnonzero(sizes >= 3)[0]]) + 1  # inside a slice of 3 or more
    for name, value in [("negative", -1), ("past the end", n), ("huge", 2**31 - 1)]:
        bad = doc.copy()
        bad[j] = value
        assert not kernel.ordered(ptr, bad, n) and not _ordered_numpy(ptr, bad, n), name
    for name, change in [("repeated", 0), ("descending", -1)]:
        bad = doc.copy()
        bad[j + 1] = bad[j] + change
        assert not kernel.ordered(ptr, bad, n) and not _ordered_numpy(ptr, bad, n), name
    for name, value in [("pointer backwards", -5), ("pointer past the end", 10**6)]:
        bad_ptr = ptr.copy()
        bad_ptr[7] = value
        assert not kernel.ordered(bad_ptr, doc, n) and not _ordered_numpy(bad_ptr, doc, n), name
    # A new slice may start lower than the last ended: that is not damage.
    two = np.array([0, 2, 4], dtype=np.int64)
    assert kernel.ordered(two, np.array([5, 9, 1, 2], dtype=np.int32), 10)
    with pytest.raises(ValueError, match="items of 4 bytes"):
        kernel.ordered(ptr, doc.astype(np.int64), n)


@pytest.mark.parametrize("way", ["kernel", "kernel, two threads", "numpy"])
def test_loading_refuses_postings_out_of_order_every_way(way, monkeypatch):
    """mapped_check refuses damaged postings with the kernel (in one thread or two, the
    damage in either half) and with numpy alone."""
    from index import mapped_check
    from index.errors import IndexUnreadable

    if way == "numpy":
        monkeypatch.setattr(mapped_check, "_kernel", None)
    if way == "kernel, two threads":
        monkeypatch.setattr(mapped_check, "_SHARED_CHECK", 1)
    ptr = np.array([0, 3, 5, 7, 8], dtype=np.int64)
    sound = np.array([1, 4, 8, 0, 9, 2, 3, 5], dtype=np.int32)
    mapped_check._postings_in_order(sound, ptr, 10)
    for at, value in [(1, 9), (2, 10), (0, -1), (6, 1), (7, 10), (4, 0)]:
        damaged = sound.copy()
        damaged[at] = value
        with pytest.raises(IndexUnreadable, match=r"post_doc|out of order"):
            mapped_check._postings_in_order(damaged, ptr, 10)
