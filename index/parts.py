"""Questions that name a part of a brief: "the main argument", "the conclusion", "the photo".

Students ask about a brief as a document ("what is the main point of this piece?",
"what does the author conclude?", "who is in the photo?"). Neither words nor meaning
find the part they name: the standfirst does not say "argument", the last paragraph
does not say "conclusion", a caption does not say "photo". When a question names a
part, that part of the briefs the question is about joins the ranking as a third list
(index/search.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from index.library import Library
from index.query import Concept
from index.tokenize import stem

Part = Literal["standfirst", "conclusion", "caption"]

_PATTERNS: dict[Part, re.Pattern[str]] = {
    "standfirst": re.compile(
        r"\b(?:main|central|key|overall|core|big)\s+(?:point|argument|idea|claim|message"
        r"|takeaway|thesis)s?\b|\bthesis\b|\bgist\b|\btl;?dr\b|\bsumm(?:ary|ari[sz]e[sd]?)\b"
        r"|\bin\s+(?:a\s+nutshell|one\s+(?:line|sentence))\b|\bsub-?(?:title|heading)\b"
        r"|\bstandfirst\b|\bstrapline\b|\bdeck\s+line\b",
        re.IGNORECASE,
    ),
    "conclusion": re.compile(
        r"\bconclu(?:sion|des?|ding)\b|\b(?:final|last|closing|concluding)\s+"
        r"(?:paragraph|line|point|word|thought|sentence)s?\b"
        r"|\bend\s+of\s+the\s+(?:article|piece|brief|text|doc|document|essay|report)\b"
        r"|\b(?:article|piece|brief|text|doc|document|essay|report)\s+ends?\b",
        re.IGNORECASE,
    ),
    "caption": re.compile(
        r"\b(?:photo(?:graph)?|picture|image|caption)s?\b|\bpictured\b", re.IGNORECASE
    ),
}

# Words that refer to the brief as a document, not to what it is about: a question
# naming a part may use them without asking about anything the brief lacks.
DOCUMENT_WORDS = frozenset(
    stem(w)
    for w in """
    piece article brief text essay report doc document author authors writer writers line lines
    sentence paragraph passage argument arguments argue argues point points idea claim
    message takeaway thesis gist summary summarise summarize sum subtitle subheading
    standfirst strapline conclusion conclude concludes concluding final last closing end
    according write writes wrote say says said overall main central key core big one
    photo photograph picture image caption pictured shown show shows top bottom
    """.split()
)
# An unknown word this rare or rarer (its concept's weight factor, index/query.py)
# may name a topic; commoner ones ("real" 0.2, "change" 0.2) frame the question.
TOPIC_WEIGHT = 0.25
# Briefs (best first) whose named part joins the ranking.
PART_BRIEFS = 3


# A word every match of _PATTERNS holds, lower-cased (one of a phrase's last words, or
# the word itself: "tl;dr" holds "dr", "in a nutshell" "nutshell", "end of the piece"
# "piece"). Where an ASCII question holds none, no pattern is tried: three searches with
# IGNORECASE were 5 us of every search, the words 1.6 (tests hold the two to one answer).
_PART_WORDS = (
    "point argument idea claim message takeaway thesis gist dr summ nutshell line sentence"
    " title heading standfirst conclu paragraph word thought article piece brief text doc"
    " essay report photo picture image caption"
).split()


def asked_part(text: str) -> Part | None:
    """The part of a brief that `text` names, or None (the first pattern that matches)."""
    if text.isascii():  # lower-cased ASCII matches as IGNORECASE does
        lowered = text.lower()
        for word in _PART_WORDS:
            if word in lowered:
                break
        else:
            return None
    return _named_part(text)


def _named_part(text: str) -> Part | None:
    """asked_part by the patterns alone (the reference its shortcut is tested against)."""
    for part, pattern in _PATTERNS.items():
        if pattern.search(text):
            return part
    return None


def part_passages(library: Library, part: Part, ranked: Iterable[int]) -> list[int]:
    """The passages holding `part` of the first PART_BRIEFS briefs among the passage
    positions `ranked` (best first), in that order."""
    briefs: list[str] = []
    for i in ranked:
        brief = library.passages.brief_of(i)
        if brief not in briefs:
            briefs.append(brief)
            if len(briefs) == PART_BRIEFS:
                break
    found: list[int] = []
    for brief in briefs:
        found.extend(_part_of(library, part, library.passages.of_brief(brief)))
    return found


def _part_of(library: Library, part: Part, positions: Sequence[int]) -> list[int]:
    """The positions, among a brief's `positions`, of its `part` (all pieces of it)."""
    passages = library.passages
    if part == "standfirst":
        return [i for i in positions if passages[i].kind == "standfirst"]
    if part == "caption":
        return [i for i in positions if passages[i].kind == "caption"]
    body = [i for i in positions if passages[i].kind == "paragraph"]
    if not body:
        return []
    last = passages[body[-1]].paragraph
    return [i for i in body if passages[i].paragraph == last]


def about_the_part(concepts: Sequence[Concept], unknown: Sequence[Concept], held: set[str]) -> bool:
    """True when a question naming a part asks about that part: the topics it names
    that the library lacks (`unknown`, rarer than common framing words such as "real")
    are no more than those the part's passages hold (`held`: their question terms).
    "The main argument of this piece" names none; "the main point of the essay on
    climate change" names one the part lacks."""
    missing = {id(c) for c in unknown}
    lacking = sum(1 for c in unknown if topical(c) and c.weight_factor >= TOPIC_WEIGHT)
    holding = sum(1 for c in concepts if id(c) not in missing and topical(c) and c.found_in(held))
    return lacking <= holding


def topical(concept: Concept, document_words: frozenset[str] = DOCUMENT_WORDS) -> bool:
    """False for a concept made only of words about the document ("argument", "piece"):
    `document_words`, stemmed."""
    return not all(stem(w) in document_words for w in concept.words)
