"""A large build's fast paths (whitespace pieces, caches kept across chunks, the building
process encoding beside its workers) index exactly tokenize()'s tokens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import Synthetic
from index import encode
from index.postings_build import encode_tokens
from index.stopwords import STOPWORDS
from index.tokenize import piece_terms, tokenize

REPO = Path(__file__).resolve().parents[2]

# Pieces of text that take every branch: hyphens and dashes, apostrophes and curly
# quotes, digit groups, acronyms that spell stopwords, unicode letters, NFKC changes,
# and separators (tabs, newlines, no-break and narrow spaces, ASCII file separators).
PIECES = [
    "Kim",
    "Jong-un",
    "jong-un's",
    "a-b-c",
    "-",
    "--",
    "'",
    "'s",
    "s'",
    "\u2019s",
    "\u2013",
    "\u2010",
    "the",
    "US",
    "IT",
    "it",
    "Leaders'",
    "1,350",
    "1,350,000",
    "12,34",
    ",",
    "1\u202f350",
    "1\u00a0350",
    "350",
    "caf\u00e9",
    "e\u0301",
    "Stra\u00dfe",
    "\uff2b\uff49\uff4d",
    "\ufb01",
    "\u00ad",
    "\u200b",
    "nuclear",
    "tests",
    "co-operation",
    "(Sino-Soviet)",
    "e-mail.",
    "U.S.",
    "_",
    "x_y",
    ".",
    " ",
    "  ",
    "\t",
    "\n",
    "\x1c",
    "\u00a0",
    "\u3000",
]


def assert_same_index(texts: list[str], **kwargs: object) -> None:
    """encode_texts's forward index equals that of tokenize()'s tokens, array for array."""
    want = encode_tokens(tokenize(t) for t in texts)
    got = encode.encode_texts(texts, [], **kwargs)  # type: ignore[arg-type]
    assert want.keys() == got.keys()
    for name, array in want.items():
        assert np.array_equal(got[name], array), name


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES) | st.text(max_size=4)).map("".join), max_size=6))
def test_encoded_tokens_are_tokenize_tokens(texts):
    assert_same_index(texts, workers=1)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([p for p in PIECES if p.isascii()])
        | st.text(st.characters(max_codepoint=127), max_size=4),
        max_size=20,
    ).map("".join)
)
def test_ascii_text_is_its_pieces(text):
    """For ASCII text, tokenize is every whitespace piece's stems, then their joined forms."""
    pieces = [piece_terms(p) for p in text.split()]
    assert tokenize(text) == [t for s, _ in pieces for t in s] + [t for _, j in pieces for t in j]


def repo_lines() -> list[str]:
    """Every line of the seeds and of the tests (briefs, questions, test strings)."""
    files = [*sorted((REPO / "seeds").iterdir()), *sorted((REPO / "tests").rglob("*.py"))]
    files += sorted((REPO / "tests").rglob("*.yaml"))
    return [line for f in files if f.is_file() for line in f.read_text("utf-8").splitlines()]


def test_seed_and_test_texts(seed_library):
    texts = [p.text for p in seed_library.passages] + repo_lines()
    assert len(texts) > 5000
    assert_same_index(texts, workers=1)


@pytest.mark.parametrize("chunk", [7, 50])
def test_workers_and_the_building_process_share_chunks(monkeypatch, chunk):
    """Chunks split between worker processes and the building process (each with its own
    vocabulary and caches) merge into the in-process build's arrays."""
    texts = [*Synthetic(seed=5, vocabulary=300).passages(300), *repo_lines()[:300]]
    monkeypatch.setattr(encode, "PARALLEL_FROM", 0)
    monkeypatch.setattr(encode, "_CHUNK", chunk)
    assert_same_index(texts, workers=2)
    assert_same_index(texts, workers=3)


def test_an_encoder_keeps_its_vocabulary_across_chunks():
    """A chunk's result names only the terms earlier chunks of its encoder did not."""
    encoder = encode._Encoder()
    first = encoder.chunk(["Sanctions bite.", "Sanctions-busting trade"], [])
    second = encoder.chunk(["Sanctions and trade", "New sanctions, new trade."], [])
    assert first[1] == 0 and first[2] == ["sanction", "bite", "bust", "trade", "sanctionsbust"]
    assert second[1] == 5 and second[2] == ["new"]
    merged = encode._merge([first, second])
    want = encode_tokens(
        tokenize(t)
        for t in [
            "Sanctions bite.",
            "Sanctions-busting trade",
            "Sanctions and trade",
            "New sanctions, new trade.",
        ]
    )
    for name, array in want.items():
        assert np.array_equal(merged[name], array), name


def test_a_piece_of_letters_is_its_one_word():
    """piece_terms' shortcut for a piece of letters (between punctuation) gives what
    tokenize gives: stopwords dropped unless written as an acronym (US, IT), every word
    stemmed."""
    words = [*sorted(STOPWORDS), "border", "Korea", "KOREA", "a", "A", "I", "us", "Us", "US"]
    for word in words:
        for form in {word, word.lower(), word.title(), word.upper()}:
            for piece in (form, f"{form},", f"{form}.", f'"({form}?)"', f"{form}:;!"):
                assert piece_terms(piece) == (tuple(tokenize(piece)), ()), piece
