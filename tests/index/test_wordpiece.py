"""The Python tokenizer a question goes through gives the Rust tokenizer's ids, and so the
same vectors (index/wordpiece.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from index.encoder import MAX_TOKENS, SentenceEncoder, make_tokenizer
from index.encoder_weights import find_source, tokenizer_json, vocabulary_of
from index.wordpiece import MAX_WORD_CHARS, WordPiece, handles
from tests.conftest import MODEL_CACHE, SEEDS, encoder

QA = Path(__file__).resolve().parent.parent / "qa"
TRICKY = [
    "",
    "   ",
    "\t\x0bTab\x0cform\x1cfeed\x1f\x7f\x00nul\r\nend",
    "x" * MAX_WORD_CHARS,
    "x" * (MAX_WORD_CHARS + 1),
    "Don't-stop!!! (U.S.A.) 1,350-kilometre border; 60% of GDP?",
    "__init__ foo_bar ~`^|\\ {braces} <angle> @home #tag $5 &c *star*",
    "river " * 400,
    "zzqxj qwxz unaffable Pyongyang's Shoigu",
    "qzqzqzqzqzqzqzqzqzqzqzqzqz " * 12,  # more than SEARCHES searches: the dictionary
]


@pytest.fixture(scope="module")
def tokenizers() -> tuple[str, object]:
    """The vocabulary (a fresh WordPiece per text: it searches its first words, and makes
    a dictionary past SEARCHES: both ways are compared) and the Rust tokenizer."""
    text = tokenizer_json(find_source(None))
    return vocabulary_of(text), make_tokenizer(text)


def questions() -> list[str]:
    """Every question of the repository's question sets."""
    found: list[str] = []
    for path in sorted(QA.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases = data if isinstance(data, list) else data.get("questions", [])
        found += [case["q"] for case in cases if isinstance(case, dict) and "q" in case]
    return found


def same_ids(tokenizers: tuple[str, object], text: str) -> None:
    vocabulary, rust = tokenizers
    assert handles(text)
    python = WordPiece(vocabulary, MAX_TOKENS)
    assert python.tokenize(text) == rust.encode(text).ids, repr(text)  # type: ignore[attr-defined]


def test_the_question_sets_and_the_seed_tokenize_alike(tokenizers):
    lines = [line for p in SEEDS.glob("*.txt") for line in p.read_text().splitlines()]
    assert len(questions()) > 150
    texts = [t for t in questions() + lines + TRICKY if handles(t)]
    assert len(texts) > 200
    for text in texts:
        same_ids(tokenizers, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_any_ascii_text_tokenizes_alike(tokenizers, text):
    assume(handles(text))  # not "[CLS]" and the like: those go to the Rust tokenizer
    same_ids(tokenizers, text)


@pytest.mark.parametrize("text", ["naïve café", "[CLS] what [SEP]", "a [MASK] b", "東京"])
def test_other_texts_go_to_the_rust_tokenizer(text):
    assert not handles(text)


def test_a_question_gets_the_vector_a_batch_gives_it(tokenizers):
    loaded = encoder()
    assert loaded is not None and loaded.usable()
    question = "How long is the border between China and North Korea?"
    alone = loaded.embed([question])[0]  # the Python tokenizer
    # In a batch with a non-ASCII text, every text goes to the Rust tokenizer.
    in_batch = loaded.embed([question, "naïve café"])[0]
    same_ids(tokenizers, question)
    # The same ids; the vector is equal up to float32 rounding, not bit for bit: padded
    # to its batch's longest text, the matrices have another shape, and BLAS may add in
    # another order for another shape (seen on an AMD EPYC: 3e-8 apart).
    assert np.allclose(alone, in_batch, rtol=0, atol=1e-6)
    assert float(alone @ in_batch) > 1 - 1e-6


def test_a_refused_tokenizer_file_later_means_no_encoder(tmp_path, caplog, monkeypatch):
    from index import encoder as encoder_module
    from index.encoder_weights import ModelFilesRefused, ModelSource, load_weights
    from index.meaning import EncoderUnavailable, LazyEncoder

    source = find_source(None)
    converted = load_weights(source, MODEL_CACHE)
    # The Python tokenizer needs no file; the Rust one reads tokenizer.json when first needed.
    gone = SentenceEncoder(converted, ModelSource(tmp_path / "gone.zip", True), "sha")
    assert gone.embed(["a question"]).shape == (1, 384)
    for _ in range(2):
        with pytest.raises(ModelFilesRefused):
            gone.embed(["naïve café"])
    assert len([r for r in caplog.records if "words alone" in r.getMessage()]) == 1
    # What the front ends and the build use says: no encoder (words alone).
    monkeypatch.setattr(encoder_module, "load_encoder", lambda *where: gone)
    with pytest.raises(EncoderUnavailable):
        LazyEncoder(None, tmp_path).embed(["naïve café"])


def test_a_question_is_searched_for_and_long_unknown_words_make_the_dictionary(tokenizers):
    vocabulary, _ = tokenizers
    python = WordPiece(vocabulary, MAX_TOKENS)
    python.tokenize("How long is the border between China and North Korea?")
    assert python._all is None  # searched: no dictionary made
    python.tokenize("qzqzqzqzqzqzqzqzqzqzqzqzqz " * 12)
    assert python._all is not None
