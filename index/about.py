"""Questions about a brief as a document: its title, publisher, author, date or link.

They are answered from the brief's metadata, not by quoting a passage. The headline is
the brief's title, not a passage, and the publisher line is page chrome the readers drop,
so neither words nor meaning could find them: "who published this?" was told the briefs
do not cover it, and "give me the link to the article" got an unrelated paragraph.

Only questions that refer to the document itself are read this way ("who wrote this",
"the title of the article"): "who wrote the 1961 treaty", "the link between Russia and
China" and "the title of the treaty" are questions about the brief's content.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Literal, NamedTuple

from index.library import BriefInfo
from index.parts import DOCUMENT_WORDS, TOPIC_WEIGHT, topical
from index.query import Concept
from index.tokenize import stem

Fact = Literal["title", "publisher", "author", "date", "url"]
# A question about "this" brief in a library of this many briefs or fewer (a study
# server's) gets the facts of each; in a larger one it must name the brief or its topic.
FACT_BRIEFS = 5

# The document, as a question names it: "it", "this", "the article", "the brief"...
_NOUN = (
    r"(?:article|piece|brief|text|essay|report|paper|story|post|analysis|commentary|op-?ed"
    r"|doc|document)"
)
_DOC = rf"(?:it|this|that|(?:the|this)\s+{_NOUN})"
# The same where nothing follows in the pattern: "it", "this" or "that" alone then, as in
# "who wrote this?" or "who wrote it and when", never "who wrote that letter".
_DOC_END = (
    r"(?:(?:it|this|that)(?=\s*$|\s*[?.!,;:)]|\s+(?:and|or|but|about|on|please|again|for|in"
    rf"|from|by|to|with)\b)|(?:the|this|that)\s+{_NOUN}\b)"
)
# An apostrophe as typed on a keyboard or a phone.
_A = "['\u2019]"

# Each fact's pattern, compiled on first need (all five took 3 ms, a start-up's 3%).
_SOURCES: dict[Fact, str] = {
    "title": (
        # "the headline", not "the headline figure" or "headline news"
        r"\b(?:the|its|this|that)\s+head(?:line|ing)s?(?=\s*$|\s*[?.!,;:)]|\s+(?:of|for|is|was"
        r"|says?|said|reads?|and)\b)"
        rf"|\btitle\s+of\s+(?:the|this)\s+{_NOUN}\b"
        rf"|\b{_NOUN}(?:{_A}?s)?\s+title\b|\bwhat(?:{_A}?s|\s+is)\s+(?:the|its|it{_A}s)\s+title\b(?!\s+of)"
        rf"|\bwhat\s+is\s+{_DOC}\s+called\b|\bname\s+of\s+(?:the|this)\s+{_NOUN}\b"
    ),
    "publisher": (
        r"\bpublisher\b|\bwho\s+(?:published|publishes|puts\s+out)\b"
        rf"|\b(?:was|is)\s+{_DOC}\s+published\s+by\b|\bpublished\s+by\s+(?:whom|who)\b"
        r"|\b(?:which|what)\s+(?:website|magazine|outlet|publication|journal|newspaper"
        r"|think[\s-]?tank)\b"
        rf"|\bwhere\s+(?:was|is)\s+{_DOC}\s+(?:published|from)\b"
    ),
    "author": (
        r"\bwho\s+(?:is|are|was|were)\s+the\s+(?:author|writer)s?\b"
        rf"|\b(?:author|writer)(?:{_A}s|s{_A}?)?\s+names?\b|\bname\s+of\s+the\s+(?:author|writer)s?\b"
        rf"|\bwho\s+(?:wrote|writes|authored)\s+{_DOC_END}|\b(?:written|authored)\s+by\s+(?:whom|who)\b"
        rf"|\bwho\s+(?:was|is)\s+{_DOC}\s+(?:written|authored|by)\b|\bwhose\s+{_NOUN}\b"
    ),
    "date": (
        rf"\bwhen\s+(?:was|is)\s+{_DOC}\s+(?:published|written|posted|released|dated|from)\b"
        rf"|\bpublication\s+date\b|\bdate\s+of\s+(?:publication\b|{_DOC_END})"
        rf"|\bwhat\s+(?:date|day|year)\s+(?:was|is)\s+{_DOC}\s+(?:published|written|posted|from)\b"
        rf"|\bwhen\s+did\s+{_DOC}\s+come\s+out\b|\bhow\s+(?:old|recent)\s+is\s+{_DOC_END}"
    ),
    "url": (
        rf"\burl\b|\bweb\s*address\b|\blink\s+(?:to|for)\s+{_DOC_END}|\bsource\s+link\b"
        r"|\b(?:original|full)\s+(?:article|piece|brief|essay|report|story|post)\b"
        rf"|\bwhere\s+(?:can|do)\s+i\s+(?:read|find|see)\s+{_DOC_END}"
    ),
}

# "... and when?" after another fact of the brief asks for its date too.
_AND_WHEN = re.compile(r"\band\s+when\b")

# Words each fact's pattern cannot match without (every one of its alternatives holds
# one): a question holding none of them is not searched with it, and the pattern is never
# compiled. Most questions hold none of a fact's words.
_TRIGGERS: dict[Fact, tuple[str, ...]] = {
    "title": ("head", "title", "called", "name"),
    "publisher": (
        "publi",
        "puts",
        "site",
        "magazine",
        "outlet",
        "journal",
        "newspaper",
        "think",
        "where",
    ),
    "author": ("author", "writer", "wrote", "writes", "written", "whose", "by"),
    "date": ("when", "date", "day", "year", "old", "recent"),
    "url": ("url", "web", "link", "original", "full", "where"),
}


# Words a question about the document uses besides naming it (index/parts.py has those):
# a concept made of them and document words names no topic of its own.
FACT_WORDS = frozenset(
    stem(w)
    for w in """
    title titled headline heading name named called publisher publishers published
    publishes publish publication put out wrote written writes write authored writer
    author authors whose whom date dated when posted released come came old recent link
    url web address website site source original full version read find see magazine
    outlet journal newspaper think tank
    """.split()
)

# Neither names a topic of its own: words about the document, and about its facts.
_NOT_TOPICS = DOCUMENT_WORDS | FACT_WORDS


class BriefFact(NamedTuple):
    """One fact the question asks about a brief: `value` None when its metadata lacks it
    (the front ends say so rather than guess). A NamedTuple, not a dataclass: made on
    every `briefbot ask`'s import, in a fraction of the time."""

    fact: Fact
    value: str | None
    brief: str
    title: str


def asked_facts(text: str) -> tuple[Fact, ...]:
    """The facts about the document that `text` asks for, in a fixed order (none for a
    question about the brief's content)."""
    # Patterns and trigger words are both matched against the lower-cased text, so that
    # a question holding no trigger word cannot match the pattern (re.IGNORECASE folds
    # some letters, such as the long s to "s", that str.lower keeps).
    lowered = text.lower()
    if not _any_trigger().search(lowered):
        return ()  # most questions: one scan, where each fact's words took one each
    asked = [
        fact
        for fact, words in _TRIGGERS.items()
        if any(w in lowered for w in words) and pattern_of(fact).search(lowered)
    ]
    if asked and "date" not in asked and _AND_WHEN.search(lowered):
        asked.append("date")  # "who published this and when?"
    return tuple(f for f in _TRIGGERS if f in asked)


@functools.cache
def _any_trigger() -> re.Pattern[str]:
    """Any fact's trigger word, anywhere in lower-cased text (as `in` finds them; compiled
    on first use, not at every `briefbot ask`'s import)."""
    return re.compile("|".join(re.escape(w) for words in _TRIGGERS.values() for w in words))


@functools.cache
def pattern_of(fact: Fact) -> re.Pattern[str]:
    """The pattern of a question asking for `fact`, over lower-cased text (compiled once,
    when first needed)."""
    return re.compile(_SOURCES[fact])


def facts_of(info: BriefInfo, asked: Sequence[Fact]) -> tuple[BriefFact, ...]:
    """The asked facts of one brief, from its metadata."""
    return tuple(BriefFact(f, _given(getattr(info, f)), info.id, info.title) for f in asked)


def _given(value: str | None) -> str | None:
    """A metadata value, None when it is missing or blank."""
    return value.strip() or None if value else None


def names_topic(concept: Concept) -> bool:
    """True when a concept of a question about the document names a topic ("the piece on
    Kim's grandfather"): not only words about the document or its facts, and not a
    common framing word."""
    return concept.weight_factor >= TOPIC_WEIGHT and topical(concept, _NOT_TOPICS)
