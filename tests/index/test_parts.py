"""Questions naming a part of a brief ("the main argument", "the conclusion")."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import parts
from index.parts import asked_part
from index.search import Searcher
from index.settings import SearchSettings


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("what is the main argument of this piece in one line?", "standfirst"),
        ("give me a summary", "standfirst"),
        ("Summarize it", "standfirst"),
        ("what does the subtitle say", "standfirst"),
        ("tl;dr?", "standfirst"),
        ("what does the author conclude?", "conclusion"),
        ("what's in the last paragraph", "conclusion"),
        ("what's the bit at the very end of the doc", "conclusion"),
        ("how does the piece end?", "conclusion"),
        ("when did the war end", None),
        ("what is Kang Sun-nam's job title", None),
        ("why did the Sino-Soviet split matter", None),
        ("what point did Kim make at the parade", None),
        ("who is in the photo at the top?", "caption"),
        ("what does the image show", "caption"),
    ],
)
def test_a_question_naming_a_part_is_recognised(question: str, part: str | None) -> None:
    assert asked_part(question) == part


# The patterns' own words (any case), their neighbours and strangers, joined by what may
# stand between words: questions that name a part, nearly do, or do not.
_PATTERN_WORDS = sorted(
    {w for p in parts._PATTERNS.values() for w in re.findall(r"[a-z]+", p.pattern)}
)
_WORDS = st.sampled_from([*_PATTERN_WORDS, "the", "of", "a", "one", "ends", "tl;dr", "sub-title"])
_ANY = st.one_of(_WORDS, _WORDS.map(str.upper), _WORDS.map(str.title), st.text(max_size=6))
_GAPS = st.sampled_from([" ", "  ", "\t", "-", ", ", "?", "", "\u00e9 "])


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(_ANY, _GAPS), max_size=8))
def test_the_words_shortcut_answers_as_the_patterns(pieces: list[tuple[str, str]]) -> None:
    """asked_part skips the patterns for an ASCII question holding none of their words:
    it must answer as the patterns alone do, for any question."""
    question = "".join(word + gap for word, gap in pieces)
    assert asked_part(question) == parts._named_part(question)


def test_every_pattern_alternative_holds_one_of_the_shortcut_words() -> None:
    """Each way a pattern can match holds a shortcut word: found by matching the
    patterns against their own alternatives' words, one alternative at a time."""
    for name, pattern in parts._PATTERNS.items():
        for phrase in [
            "main point",
            "thesis",
            "gist",
            "tldr",
            "tl;dr",
            "summary",
            "summarised",
            "in a nutshell",
            "in one line",
            "in one sentence",
            "subtitle",
            "sub-heading",
            "standfirst",
            "strapline",
            "deck line",
            "conclusion",
            "concludes",
            "last word",
            "final thought",
            "closing paragraph",
            "end of the document",
            "report ends",
            "essay end",
            "photograph",
            "pictured",
            "images",
            "caption",
        ]:
            if pattern.search(phrase):
                assert any(w in phrase for w in parts._PART_WORDS), (name, phrase)


def test_the_main_argument_is_the_standfirst(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("what is the main argument of this piece in one line?")
    assert answer.verdict == "answered"
    assert answer.hits[0].citation.paragraph == 0  # the standfirst


def test_the_conclusion_is_the_last_paragraph(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("what does the author conclude?")
    last = max(p.paragraph for p in seed_searcher.library.passages)
    assert answer.verdict == "answered"
    assert answer.hits[0].citation.paragraph == last


@pytest.mark.parametrize(
    "question",
    [
        "what is the main argument of Hamlet?",
        "what's the main point of the essay on climate change",
    ],
)
def test_a_part_of_something_else_is_not_covered(seed_searcher: Searcher, question: str) -> None:
    assert seed_searcher.search(question).verdict == "not_covered"


def test_a_named_part_ranks_first_by_words_alone_too(seed_searcher: Searcher) -> None:
    words_only = Searcher(seed_searcher.library, SearchSettings(ranking="words"))
    answer = words_only.search("summarise the main argument of the brief")
    assert answer.hits[0].citation.paragraph == 0


def test_the_photo_is_a_caption(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("what's the full name of the treaty shown in the picture")
    assert answer.verdict == "answered"
    assert answer.hits[0].citation.kind == "caption"
    assert "Friendship Treaty" in answer.hits[0].text


def test_a_caption_is_never_the_conclusion(seed_searcher: Searcher) -> None:
    conclusion = seed_searcher.search("what is the conclusion of the brief").hits[0]
    assert conclusion.citation.kind == "paragraph"
