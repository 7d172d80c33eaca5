"""The compiled piece lookup (index/_encode.c) gives the build exactly tokenize()'s tokens."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import Synthetic
from index import encode
from index.postings_build import encode_tokens
from index.tokenize import tokenize

kernel = pytest.importorskip("index._encode", reason="built without a C compiler")

# Every kind of whitespace str.split() knows in ASCII, hyphens, apostrophes, digits, and
# texts that are not ASCII (the Python path) between ASCII ones.
TEXTS = [
    *Synthetic(seed=12, vocabulary=300).passages(200),
    "tab\tnew\nline\x0bvt\x0cff\rcr\x1cfs\x1dgs\x1ers\x1fus end",
    "Kim Jong-un's co-operation -- a - b -x- 1,350 and 1 350; e-mail e-mail",
    "Sino\u2010Soviet ties \u2013 the PRC\u2019s envoy",
    "\u201cNorth Korea\u2019s 1,350-kilometre border\u201d \u2013 1\u00a0350",
    "fullwidth \uff11\uff0c\uff13\uff15\uff10 and 1\uff0c350",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9",
    "",
    "   ",
    "----",
    "IT and it, U.S. forces; the Leaders' summit",
]


# ASCII, and what normalising folds to it or not: curly quotes, dashes, no-break spaces,
# fullwidth digits and comma (NFKC makes `1,350` of them), accents.
ALPHABET = "ab- \t\x1c'1,.\u00e9\u2019\u201c\u2013\u2010\u00a0\uff11\uff0c\uff13\u00ad"


def encoded(texts, compiled):
    with pytest.MonkeyPatch.context() as patch:
        if not compiled:
            patch.setattr(encode, "_encode", None)
        return encode.encode_texts(texts, [], workers=1)


def test_same_forward_index_as_python_and_tokenize():
    want = encode_tokens(tokenize(t) for t in TEXTS)
    for compiled in (True, False):
        got = encoded(TEXTS, compiled)
        for name, array in want.items():
            assert np.array_equal(got[name], array), (compiled, name)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30), max_size=8))
def test_any_text_tokenises_as_tokenize(texts):
    want = encode_tokens(tokenize(t) for t in texts) if texts else None
    if want is None:
        return
    got = encoded(texts, True)
    for name, array in want.items():
        assert np.array_equal(got[name], array), name


def test_long_pieces_and_a_growing_table():
    """Pieces longer than a table slot holds (kept apart), thousands of them, hyphenated
    ones too: the table grows many times and still finds each piece it was given."""
    long = [f"Borderlands-of-{i:05d}-kilometres" for i in range(3000)]
    texts = [" ".join(long[i : i + 7]) + " supercalifragilistic, border" for i in range(0, 3000, 5)]
    texts += texts[::-1]  # every piece again, now known
    want = encode_tokens(tokenize(t) for t in texts)
    got = encoded(texts, True)
    for name, array in want.items():
        assert np.array_equal(got[name], array), name
    # Each distinct piece reaches Python once, however long: the table finds the rest.
    calls: list[str] = []

    def new(piece: str) -> int:
        calls.append(piece)
        return len(calls)

    kernel.entries(kernel.Cache(), texts, new, lambda joined: 0, lambda text: [])
    pieces = [p for t in texts for p in t.split()]
    assert calls == list(dict.fromkeys(pieces))


def test_pieces_are_remembered_across_chunks():
    """A piece seen in one chunk is not tokenised again in the next: it keeps its entry."""
    encoder = encode._Encoder()
    first, _ = kernel.entries(
        encoder.cache, ["war and peace"], encoder.pieces.new, encoder.joined.new, encoder._other
    )
    war, _, peace = np.frombuffer(first, dtype=np.uint32).tolist()
    calls: list[str] = []

    def counting(word: str) -> int:
        calls.append(word)
        return encoder.pieces.new(word)

    raw, counts = kernel.entries(
        encoder.cache, ["war peace treaty"], counting, encoder.joined.new, encoder._other
    )
    assert calls == ["treaty"]
    assert np.frombuffer(counts, dtype=np.int64).tolist() == [3]
    assert np.frombuffer(raw, dtype=np.uint32).tolist() == [war, peace, len(encoder.ptr) - 2]


def test_callback_errors_propagate():
    def broken(word: str) -> int:
        raise RuntimeError("tokeniser failed")

    with pytest.raises(RuntimeError, match="tokeniser failed"):
        kernel.entries(kernel.Cache(), ["a b"], broken, broken, broken)
    with pytest.raises(TypeError):
        kernel.entries(kernel.Cache(), [b"bytes"], broken, broken, broken)
