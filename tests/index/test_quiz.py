"""Quiz questions from the real seed brief: deterministic, answerable, never broken."""

from __future__ import annotations

import re

import pytest

from index.passages import Passage
from index.quiz import BLANK, CHOICES, QuizQuestion, make_question
from tests.conftest import SEED_STEM

SEEDS = range(201)
KIND_SHAPES = {
    "year": re.compile(r"(1[5-9]|20)\d\d"),
    "number": re.compile(r"\d[\d,.]*"),
    "name": re.compile(r"[A-Z][\w\u2019'-]*( [A-Z][\w-]*)*"),
    "demonym": re.compile(r"([A-Z]\w+ )*[A-Z]\w+"),
}


@pytest.fixture(scope="module")
def passages(seed_library):
    return list(seed_library.passages)


@pytest.fixture(scope="module")
def questions(seed_library, passages) -> list[QuizQuestion]:
    out = []
    for seed in SEEDS:
        q = make_question(passages, seed, SEED_STEM, aliases=seed_library.alias_groups)
        assert q is not None
        out.append(q)
    return out


def _whole(text: str, word: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text))


def test_same_seed_same_question(seed_library, passages):
    a = make_question(passages, 7, aliases=seed_library.alias_groups)
    b = make_question(tuple(passages), 7, aliases=[list(g) for g in seed_library.alias_groups])
    assert a is not None and a == b
    assert make_question(passages, 8, aliases=seed_library.alias_groups) != a


def test_seeds_vary_the_question(questions):
    assert len({(q.sentence_with_blank, q.answer) for q in questions}) > 30
    assert {q.kind for q in questions} >= {"name", "year"}


def test_no_question_is_broken(questions, passages):
    texts = {p.id: p.text for p in passages}
    for q in questions:
        assert q.sentence_with_blank.count(BLANK) == 1, q
        sentence = q.sentence_with_blank.replace(BLANK, q.answer)
        assert sentence in texts[q.passage_id], q  # a real sentence of that passage
        assert sentence.lstrip("(\u201c\"'")[0].isupper(), q
        assert sentence.rstrip(")\u201d\"'").endswith((".", "?", "!")), q
        assert _whole(sentence, q.answer) == 1, q  # the answer stands there exactly once
        before, after = q.sentence_with_blank.split(BLANK)
        assert not before[-1:].isalnum() and not after[:1].isalnum(), q  # not mid-word
        assert len(q.choices) == CHOICES
        assert len({c.casefold() for c in q.choices}) == CHOICES, q  # distinct
        assert q.choices[q.answer_index] == q.answer
        for choice in q.choices:
            assert KIND_SHAPES[q.kind].fullmatch(choice), (choice, q)
            assert any(_whole(t, choice) for t in texts.values()), choice  # from the brief
            if choice != q.answer:
                assert not _whole(sentence, choice), (choice, q)  # would give itself away


def test_distractors_are_never_another_name_for_the_answer(questions, seed_library):
    groups = [{n.casefold() for n in g} for g in seed_library.alias_groups]
    for q in questions:
        for choice in q.choices:
            if choice != q.answer:
                assert not any(
                    q.answer.casefold() in g and choice.casefold() in g for g in groups
                ), q
                assert not set(choice.split()) & set(q.answer.split()), q  # Kim / Kim Il-sung


def test_year_questions_offer_years(questions):
    years = [q for q in questions if q.kind == "year"]
    assert years
    assert all(all(KIND_SHAPES["year"].fullmatch(c) for c in q.choices) for q in years)


def test_none_when_nothing_can_be_blanked():
    bland = [
        Passage("b:1", "b", 1, 0, 0, 60, "this sentence has no names or numbers in it at all."),
        Passage("b:2", "b", 2, 0, 0, 60, "In 1961 there was only one year mentioned in the text."),
    ]
    assert make_question(bland, 0) is None
    assert make_question([], 0) is None


def test_brief_filter_keeps_other_briefs_out(passages):
    assert make_question(passages, 3, brief="no-such-brief") is None


def test_numbers_blank_with_their_separators():
    text = (
        "The border is 1,350 kilometres long and the river runs 790 kilometres. "
        "The army has 1,200,000 soldiers and 200 ships in all of its fleets. "
        "Some 4.5 million people live within 50 kilometres of the old line."
    )
    passages = [Passage("n:1", "n", 1, 0, 0, len(text), text)]
    seen = set()
    for seed in range(40):
        q = make_question(passages, seed)
        assert q is not None and q.kind == "number"
        assert q.sentence_with_blank.replace(BLANK, q.answer) in text
        seen.add(q.answer)
    assert "1,350" in seen and "4.5" in seen
