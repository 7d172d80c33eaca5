"""Splitting: one passage per paragraph; long ones cut only between sentences."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.brief import parse_brief
from index.sentences import _BOUNDARY, _found_spans, sentence_spans
from index.splitting import passages_of

LONG = (
    "The first sentence is here. Dr. Kim met Mr. Putin in 2019. "
    "The U.S. was not invited! Was anyone surprised? "
    "The fifth sentence closes the paragraph."
)


def test_seed_paragraphs_are_one_passage_each(seed_library):
    # Paragraph 0 is the standfirst, a passage of its own (cited as "standfirst"); -n is
    # the photo caption before paragraph n (tests/index/test_captions.py).
    body = [p.paragraph for p in seed_library.passages if p.kind != "caption"]
    assert body == list(range(0, 9))
    assert [p.paragraph for p in seed_library.passages if p.kind == "caption"] == [-1, -6]
    assert seed_library.citation(seed_library.passages[0]).locator == "standfirst"
    assert all(p.part == 0 for p in seed_library.passages)


def test_ids_are_deterministic(seed_library):
    brief = next(iter(seed_library.briefs))
    ids = [p.id for p in seed_library.passages]
    assert [i for i in ids if ":c" not in i] == [f"{brief}:{n}" for n in range(0, 9)]
    assert [i for i in ids if ":c" in i] == [f"{brief}:c1", f"{brief}:c6"]


def test_sentences_respect_abbreviations():
    spans = sentence_spans(LONG)
    assert [LONG[s:e] for s, e in spans] == [
        "The first sentence is here.",
        "Dr. Kim met Mr. Putin in 2019.",
        "The U.S. was not invited!",
        "Was anyone surprised?",
        "The fifth sentence closes the paragraph.",
    ]


@pytest.mark.parametrize("max_chars", [40, 60, 90, 120])
def test_long_paragraph_split_between_sentences(max_chars):
    text = f"Title\n\nA standfirst.\n\n{LONG}\n\nSecond paragraph, short.\n"
    brief = parse_brief(text, "b")
    passages = passages_of(brief, max_chars)
    first = [p for p in passages if p.paragraph == 1]
    assert len(first) > 1
    sentences = {LONG[s:e] for s, e in sentence_spans(LONG)}
    for p in first:
        # Each part is whole sentences, and keeps the paragraph number.
        assert text[p.start : p.end] == p.text
        parts = {p.text[s:e] for s, e in sentence_spans(p.text)}
        assert parts <= sentences
        assert len(p.text) <= max_chars or len(parts) == 1
    assert " ".join(p.text for p in first) == LONG
    assert [p.id for p in first] == [f"b:1.{i}" for i in range(1, len(first) + 1)]
    assert [p.paragraph for p in passages if p.part == 0] == [2]


def test_split_parts_index_their_neighbouring_sentences():
    from index.passages import indexed_text

    text = f"Title\n\nA standfirst.\n\n{LONG}\n\nSecond paragraph, short.\n"
    passages = passages_of(parse_brief(text, "b"), 60)
    assert [p.text for p in passages[:3]] == [
        "The first sentence is here. Dr. Kim met Mr. Putin in 2019.",
        "The U.S. was not invited! Was anyone surprised?",
        "The fifth sentence closes the paragraph.",
    ]
    assert indexed_text(passages, 0) == (
        "The first sentence is here. Dr. Kim met Mr. Putin in 2019. The U.S. was not invited!"
    )
    assert indexed_text(passages, 1) == (
        "Dr. Kim met Mr. Putin in 2019. The U.S. was not invited! Was anyone surprised? "
        "The fifth sentence closes the paragraph."
    )
    assert indexed_text(passages, 2) == (
        "Was anyone surprised? The fifth sentence closes the paragraph."
    )
    assert indexed_text(passages, 3) == "Second paragraph, short."


@pytest.mark.parametrize(
    "paragraph",
    [
        " ".join(f"word{i}" for i in range(40_000)),  # one line, no sentence boundary
        "lower case after stops. " * 8_000,  # boundaries the splitter does not accept
        "x" * 5_000 + " tail",  # one "word" longer than a passage
    ],
    ids=["no-boundary", "lowercase", "huge-word"],
)
def test_no_passage_is_longer_than_max_chars(paragraph):
    text = f"Title\n\n{paragraph}\n"
    passages = passages_of(parse_brief(text, "b"), 1000)
    assert len(passages) > 1
    assert all(0 < len(p.text) <= 1000 for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    # Cut between words: nothing lost but the white space at the cuts.
    assert "".join(p.text for p in passages).replace(" ", "") == paragraph.replace(" ", "")
    if " " in paragraph[:1000]:
        assert all(not p.text[-1].isspace() and not p.text[0].isspace() for p in passages)


def test_sentence_spans_of_a_long_paragraph_is_linear():
    # 200,000 sentences: the prefix copy per boundary made this minutes long.
    text = "It is so. " * 200_000
    assert len(sentence_spans(text)) == 200_000


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aZ9 .!?\"')]([\n\t\u00a0\u201c\u201d\u2018\u2019")),
        max_size=30,
    )
)
@example("One sentence.")
@example("Two. Sentences.")
@example("Why? Because")
@example("Stop! Now")
@example("Ends in a quote.\u201d ")
@example("Mr. Smith left.  ")
def test_sentence_spans_shortcut_splits_as_the_boundary_pattern(text):
    # The shortcut (no stop before the closing run: one sentence) gives _BOUNDARY's spans.
    assert sentence_spans(text) == _found_spans(text)


def test_standfirst_is_a_citable_passage_when_asked():
    from index.cite import locator

    text = f"Title\n\nA standfirst.\n\n{LONG}\n\nSecond paragraph, longer than the standfirst.\n"
    brief = parse_brief(text, "b")
    plain = passages_of(brief, 1000)
    led = passages_of(brief, 1000, standfirst=True)
    assert [p.id for p in plain] == ["b:1", "b:2"]
    assert [p.id for p in led] == ["b:0", "b:1", "b:2"]
    assert led[0].text == "A standfirst." == text[led[0].start : led[0].end]
    assert locator(led[0].paragraph) == "standfirst"
    assert locator(1) == "\u00b61" and locator(0, 2) == "standfirst (part 2)"


# The boundary as it was first written: matched just after the stop (a lookbehind).
_BOUNDARY_AFTER = re.compile(
    r"""(?<=[.!?])["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])"""
)


PIECES = [
    ". ",
    "? ",
    "!",
    "?! ",
    "...",
    " ",
    "\n",
    "  ",
    '"',
    "\u201d",
    "\u2019",
    ")",
    "(",
    "[",
    "]",
    "\u201c",
    "'",
    "A",
    "a",
    "1",
    "Mr.",
    "U.S.",
    "e.g.",
    "Kim",
    "x",
    ".",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_boundary_matches_where_the_lookbehind_one_did(text):
    """The boundary now matches at the stop itself (3x faster): each match is the old one
    with its stop in front, so the sentences are the same."""
    ours = [(m.start() + 1, m.end(), m.group()[1:]) for m in _BOUNDARY.finditer(text)]
    assert ours == [(m.start(), m.end(), m.group()) for m in _BOUNDARY_AFTER.finditer(text)]
