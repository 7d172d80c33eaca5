"""A question read once: its words, stems, hyphenated compounds and word pairs.

Every later step (concepts, phrase re-ranking, highlighting) reads this object;
nothing tokenises the question again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from index.errors import NothingToSearch, QuestionTooLong
from index.limits import MAX_QUESTION_CHARS
from index.records import quick_init
from index.tokenize import question_parts, stem


@quick_init
@dataclass(frozen=True)
class Question:
    """A searchable question.

    words: its case-folded words as typed (stopwords dropped), then joined compounds.
    stems: `words`, stemmed. compounds: each joined hyphenated word and its parts.
    pairs: adjacent stemmed words, stopwords kept (phrases it shares with a passage).
    """

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    compounds: Mapping[str, tuple[str, ...]]
    pairs: frozenset[tuple[str, str]]


def read_question(text: str) -> Question:
    """`text` read into a Question; QuestionTooLong or NothingToSearch if it cannot be searched."""
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionTooLong(len(text), MAX_QUESTION_CHARS)
    words, compounds, pairs = question_parts(text)
    if not words:
        raise NothingToSearch()
    # Positional, in the fields' order: text, words, stems, compounds, pairs.
    return Question(text, tuple(words), tuple(map(stem, words)), compounds, frozenset(pairs))
