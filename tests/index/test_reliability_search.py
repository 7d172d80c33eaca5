"""Promise 4, search half: any question is safe.

Whatever a user types (random Unicode, zero-width and right-to-left characters,
Discord markdown and mention syntax, code fences, up to and past the length limit),
`Searcher.search` returns an answer or raises BadQuestion carrying what is wrong; nothing else.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import IndexSettings, Searcher, build_index
from index.errors import NothingToSearch, QuestionTooLong
from index.limits import MAX_QUESTION_CHARS, MAX_RESULTS
from index.parts import asked_part
from tests.conftest import SEEDS
from tests.strategies import PIECES, QUESTIONS


@cache
def seed() -> Searcher:
    """A searcher over the real seed; not a fixture, so hypothesis does not print it on failure."""
    return Searcher(build_index(SEEDS, IndexSettings()))


def check_answer(index, question, k):
    """Search; on success check the answer's shape, on BadQuestion check the message."""
    try:
        answer = index.search(question, k)
    except QuestionTooLong as exc:
        assert len(question) > MAX_QUESTION_CHARS
        assert (exc.length, exc.limit) == (len(question), MAX_QUESTION_CHARS)
        return None
    except NothingToSearch:
        assert len(question) <= MAX_QUESTION_CHARS
        return None
    assert len(question) <= MAX_QUESTION_CHARS
    assert answer.question == question
    assert len(answer.hits) <= max(1, min(k, MAX_RESULTS))
    assert len({h.passage_id for h in answer.hits}) == len(answer.hits)
    for hit in answer.hits:
        assert index.library.passage(hit.passage_id).text == hit.text
        assert 0 <= hit.sentence[0] < hit.sentence[1] <= len(hit.text)
        assert 0.0 <= hit.coverage <= 1.0
    covered = bool(answer.hits) and answer.hits[0].coverage >= index.settings.min_coverage
    # A question naming a part of the brief ("the photo") may be answered by that part.
    assert answer.answered == covered or (answer.answered and asked_part(question) is not None)
    return answer


@settings(max_examples=200, deadline=None)
@given(question=QUESTIONS, k=st.integers(-5, 50))
def test_any_question_gives_an_answer_or_bad_question(question, k):
    check_answer(seed(), question, k)


@settings(max_examples=100, deadline=None)
@given(noise=st.lists(PIECES, min_size=1, max_size=8))
def test_discord_noise_around_keywords_does_not_change_the_answer(noise):
    """Mentions, markdown and invisible characters around the words leave the words found."""
    seed_searcher = seed()
    plain = seed_searcher.search("Shoigu letter Putin", 3)
    words_free = [p for p in noise if not any(c.isalnum() for c in p)]
    noisy = "".join(words_free) + "Shoigu letter Putin" + "".join(reversed(words_free))
    assert [h.passage_id for h in seed_searcher.search(noisy, 3).hits] == [
        h.passage_id for h in plain.hits
    ]


@pytest.mark.parametrize(
    "question",
    [
        "?!?...",
        "\u2014 \u2026 \u00ab\u00bb \u201c\u201d",
        "\U0001f914\U0001f914\U0001f914",
        "\U0001f1f0\U0001f1f5 \U0001f1e8\U0001f1f3",
        "\u200b\u200c\u200d\u2060\ufeff",
        "\u202e\u200f",
        "```\n```",
        "** __ ~~ || >",
        "what is the of and",
        "\x00\x01\x02",
    ],
)
def test_question_with_no_words_is_a_bad_question(seed_searcher, question):
    with pytest.raises(NothingToSearch):
        seed_searcher.search(question)


@pytest.mark.parametrize(
    "question", ["@everyone @here", "<@123456789012345678>", "<@&123> <#789> <@!42>"]
)
def test_mentions_alone_match_nothing(seed_searcher, question):
    answer = seed_searcher.search(question)
    assert answer.hits == () and not answer.answered


def test_length_limit_is_exact(seed_searcher):
    at_limit = ("border " * MAX_QUESTION_CHARS)[:MAX_QUESTION_CHARS]
    assert seed_searcher.search(at_limit).hits[0].citation.paragraph == 4
    with pytest.raises(QuestionTooLong) as raised:
        seed_searcher.search(at_limit + "x")
    assert (raised.value.length, raised.value.limit) == (MAX_QUESTION_CHARS + 1, MAX_QUESTION_CHARS)


def test_mentions_and_markdown_do_not_hide_words(seed_searcher):
    answer = seed_searcher.search("<@123> **Shoigu** ||letter|| from `Putin`?", 1)
    assert answer.hits[0].citation.paragraph == 3
    assert set(answer.hits[0].matched) == {"shoigu", "letter", "putin"}


def test_zero_width_and_rtl_marks_inside_a_word(seed_searcher):
    # "Sho\u200bigu" is how a word looks after pasting from some sites.
    answer = seed_searcher.search("Sho\u200bigu le\u200dtter \u202bPutin\u202c", 1)
    assert answer.hits[0].citation.paragraph == 3


@pytest.mark.parametrize("k", [-1, 0, 1, 10, 11, 10**9])
def test_any_k_is_clamped(seed_searcher, k):
    hits = seed_searcher.search("North Korea China Russia", k).hits
    # The seed has 11 passages: the standfirst, 8 paragraphs and 2 photo captions.
    assert len(hits) == min(max(1, min(k, MAX_RESULTS)), 11)
