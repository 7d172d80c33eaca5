"""Questions about a brief as a document (its title, publisher, author, date, link) are
answered from its metadata; questions about its content never are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from index.about import _SOURCES, FACT_BRIEFS, asked_facts, pattern_of
from index.build import build_index
from index.search import Searcher
from index.settings import IndexSettings
from tests.conftest import SEEDS

SEED_ID = "interpreter-can-north-korea-play-off-russia-against-china"
SEED_TITLE = "Can North Korea play off Russia against China?"


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("what's the headline of the article", ("title",)),
        ("whats the title of the brief", ("title",)),
        ("what is this piece called?", ("title",)),
        ("what\u2019s the title", ("title",)),  # a phone's apostrophe
        ("whats the articles title", ("title",)),
        ("the author\u2019s name?", ("author",)),
        ("who published this?", ("publisher",)),
        ("who publishes the interpreter", ("publisher",)),
        ("which think tank put this out", ("publisher",)),
        ("who wrote this article?", ("author",)),
        ("Who is the author of this article?", ("author",)),
        ("when was it published", ("date",)),
        ("what's the publication date and who is the publisher", ("publisher", "date")),
        ("give me the link to the article", ("url",)),
        ("where can I read the full article", ("url",)),
        # About the content, not the document:
        ("who wrote the 1961 treaty?", ()),
        ("what is the link between Russia and China", ()),
        ("what is the title of the treaty", ()),
        ("what does the author argue about China", ()),
        ("when was the treaty signed", ()),
        ("who runs North Korea", ()),
        ("what is the original reason for the alliance", ()),
        ("what's the headline news about north korea", ()),
        ("what was the headline figure for the arms trade", ()),
        ("which site did north korea launch the missile from", ()),
        ("what's the full text of the 1961 treaty", ()),
        ("who wrote that letter to kim", ()),
        ("what was the date of that meeting", ()),
        ("what does the headline say", ("title",)),
        ("who wrote it and when was it published", ("author", "date")),
        ("who wrote this?", ("author",)),
        ("who published this and when?", ("publisher", "date")),
        ("where did kim meet shoigu and when?", ()),
    ],
)
def test_only_questions_about_the_document_ask_for_its_facts(question, facts):
    assert asked_facts(question) == facts


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_text_a_facts_pattern_matches_holds_one_of_its_trigger_words(data):
    """asked_facts runs a fact's pattern only on a question holding one of its trigger
    words: any text the pattern matches (drawn from the pattern itself) must hold one, so
    skipping the others loses nothing."""
    fact = data.draw(st.sampled_from(list(_SOURCES)))
    text = data.draw(st.from_regex(pattern_of(fact)))
    assume(pattern_of(fact).search(text.lower()))
    assert fact in asked_facts(text)


def test_the_only_brief_answers_what_its_metadata_holds(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("who published this?", 3)
    assert (answer.verdict, answer.answered, answer.hits) == ("answered", True, ())
    [fact] = answer.about
    assert (fact.fact, fact.value, fact.brief, fact.title) == (
        "publisher",
        "The Interpreter, Lowy Institute",
        SEED_ID,
        SEED_TITLE,
    )
    # The seed's metadata leaves the author empty: said, not guessed, and not an answer.
    unknown = seed_searcher.search("who wrote this article?", 3)
    assert unknown.verdict == "not_covered" and not unknown.hits
    assert [(f.fact, f.value) for f in unknown.about] == [("author", None)]


def test_a_named_part_or_a_missing_topic_is_not_a_question_about_the_metadata(
    seed_searcher: Searcher,
) -> None:
    # "headline" beside "subtitle": the question asks what the standfirst says.
    part = seed_searcher.search("the subtitle under the headline says power sits with who?", 3)
    assert not part.about and part.hits and part.hits[0].citation.kind == "standfirst"
    # A topic the brief lacks: not this brief's author.
    assert not seed_searcher.search("who wrote the essay about climate change", 3).about


def _library_of(seeds: Path, extra: int) -> Searcher:
    """The seed brief and `extra` more, each with its own publisher; the first on reefs."""
    shutil.copytree(SEEDS, seeds)
    for n in range(extra):
        topic = "Coral bleaching on the Great Barrier Reef" if n == 0 else f"Topic {n} rainfall"
        (seeds / f"extra{n}.txt").write_text(
            f"Brief {n}\n\n{topic} worsened this summer, as heatwaves grew longer.\n\n"
            "Scientists want faster cuts to emissions.\n",
            encoding="utf-8",
        )
        (seeds / f"extra{n}.yaml").write_text(
            f"title: Brief {n}\npublisher: Weekly {n}\nurl: https://example.org/{n}\n",
            encoding="utf-8",
        )
    return Searcher(build_index(seeds, IndexSettings()))


def test_in_a_few_briefs_this_is_each_of_them_or_the_one_named(tmp_path: Path) -> None:
    """With two briefs, "who published this?" gets each brief's publisher; naming a
    topic of one, or asking within one, gets that one's."""
    searcher = _library_of(tmp_path / "seeds", 1)
    facts = searcher.search("who published this?", 3).about
    assert {(f.brief, f.value) for f in facts} == {
        ("extra0", "Weekly 0"),
        (SEED_ID, "The Interpreter, Lowy Institute"),
    }
    [fact] = searcher.search("who published the piece on coral bleaching?", 3).about
    assert (fact.brief, fact.value) == ("extra0", "Weekly 0")
    [link] = searcher.search("give me the link to the article", 3, brief="extra0").about
    assert link.value == "https://example.org/0"
    [fact] = searcher.search("who published this?", 3, brief=SEED_ID).about
    assert fact.value == "The Interpreter, Lowy Institute"


def test_in_a_larger_library_this_must_be_named(tmp_path: Path) -> None:
    searcher = _library_of(tmp_path / "seeds", FACT_BRIEFS)
    assert len(searcher.library.briefs) == FACT_BRIEFS + 1
    assert not searcher.search("who published this?", 3).about
    [fact] = searcher.search("who published this?", 3, brief="extra3").about
    assert fact.value == "Weekly 3"
