"""all-MiniLM-L6-v2's tokenizer (uncased BERT WordPiece) for short ASCII texts, in Python.

A question is a few dozen dictionary lookups; building the Rust tokenizer from
tokenizer.json costs about 20 ms, a tenth of a `briefbot ask`. It gives the same ids as
that tokenizer (tests/index/test_wordpiece.py compares them), for ASCII text without the
special tokens' names: everything else goes to the Rust one (index/encoder.py).

For ASCII, BERT's normaliser removes control characters (tab, newline and return become
spaces) and lowercases; its pre-tokeniser splits at spaces and makes every punctuation
character a word of its own; WordPiece then takes the longest vocabulary entry from the
left, continuations prefixed "##", and a word it cannot cover whole is [UNK].
"""

from __future__ import annotations

import re

import numpy as np

UNKNOWN, FIRST, LAST = "[UNK]", "[CLS]", "[SEP]"
SPECIAL = ("[PAD]", UNKNOWN, FIRST, LAST, "[MASK]")
# Longer words are [UNK] whole (tokenizer.json: max_input_chars_per_word).
MAX_WORD_CHARS = 100
# Vocabulary searches before the whole vocabulary is made a dictionary.
SEARCHES = 64
# Control characters other than tab, newline and return (category Cc), removed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\t\n\r]")
# ASCII punctuation (Rust's is_ascii_punctuation): one word each; the rest in runs.
_PUNCTUATION = r"!-/:-@\[-`{-~"
_WORDS = re.compile(rf"[{_PUNCTUATION}]|[^ {_PUNCTUATION}]+")


def handles(text: str) -> bool:
    """True when `tokenize` gives the Rust tokenizer's ids for `text`."""
    return text.isascii() and not ("[" in text and any(s in text for s in SPECIAL))


class WordPiece:
    """Token ids of texts, from the vocabulary (one token per line, in id order).

    A token is found by searching the vocabulary's bytes (tens of microseconds), its id
    from where its line starts: a question needs a few dozen searches, and a dictionary of
    the 30,522 tokens takes 5 ms to make. Past SEARCHES searches (long unknown words
    cost many), that dictionary is made after all."""

    def __init__(self, vocabulary: str, max_tokens: int) -> None:
        self._text = f"\n{vocabulary}\n".encode()
        self._lines = np.flatnonzero(np.frombuffer(self._text, dtype=np.uint8) == ord("\n"))
        self._ids: dict[str, int | None] = {}
        self._searches = 0
        self._all: dict[str, int] | None = None
        self._max_tokens = max_tokens
        found = [self._id(t) for t in (UNKNOWN, FIRST, LAST)]
        if None in found:
            raise ValueError("the vocabulary lacks a special token")
        self._unknown, self._first, self._last = (int(i or 0) for i in found)

    def _id(self, token: str) -> int | None:
        """The id of `token`, or None when the vocabulary does not hold it."""
        if self._all is not None:
            return self._all.get(token)
        if token not in self._ids:
            self._searches += 1
            if self._searches > SEARCHES:
                tokens = self._text[1:-1].decode().split("\n")
                self._all = dict(zip(tokens, range(len(tokens)), strict=True))
                return self._all.get(token)
            at = self._text.find(f"\n{token}\n".encode())
            self._ids[token] = None if at < 0 else int(np.searchsorted(self._lines, at))
        return self._ids[token]

    def tokenize(self, text: str) -> list[int]:
        """[CLS], the pieces of `text` (cut to leave room for [SEP]), [SEP]; `handles(text)`
        must hold."""
        text = _SPACES.sub(" ", _CONTROL.sub("", text)).lower()
        ids = [self._first]
        for word in _WORDS.findall(text):
            ids += self._pieces(word)
        del ids[self._max_tokens - 1 :]
        ids.append(self._last)
        return ids

    def _pieces(self, word: str) -> list[int]:
        """The ids of one word: longest vocabulary entries from the left, or [UNK]."""
        if len(word) > MAX_WORD_CHARS:
            return [self._unknown]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            prefix = "##" if start else ""
            for end in range(len(word), start, -1):
                found = self._id(prefix + word[start:end])
                if found is not None:
                    pieces.append(found)
                    start = end
                    break
            else:
                return [self._unknown]
        return pieces
