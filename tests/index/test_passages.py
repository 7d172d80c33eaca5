"""Splitting: one passage per paragraph; long ones cut only between sentences."""

from __future__ import annotations

import pytest

from index.brief import parse_brief
from index.passages import passages_of
from index.sentences import sentence_spans

LONG = (
    "The first sentence is here. Dr. Kim met Mr. Putin in 2019. "
    "The U.S. was not invited! Was anyone surprised? "
    "The fifth sentence closes the paragraph."
)


def test_seed_paragraphs_are_one_passage_each(seed_library):
    assert [p.paragraph for p in seed_library.passages] == list(range(1, 9))
    assert all(p.part == 0 for p in seed_library.passages)


def test_ids_are_deterministic(seed_library):
    brief = next(iter(seed_library.briefs))
    assert [p.id for p in seed_library.passages] == [f"{brief}:{n}" for n in range(1, 9)]


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
