"""The pieces every citation style is made of: dates, authors' names, the site and its
publisher, headline capitals and punctuation around titles (index/styles.py puts them
together as APA, MLA and Chicago ask)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MONTHS = (
    "January February March April May June July August September October November December"
).split()
# MLA 9 abbreviates months longer than four letters (MLA 9 appendix 1).
_MLA_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()
# Words kept lower case inside a headline-style title (articles, conjunctions, prepositions).
_MINOR = frozenset(
    """
    a an the and but for nor or so yet as at by in of on per to up via vs from into onto
    over with upon about above across after against along amid among around before behind
    below beneath beside between beyond despite during except inside near off out outside
    past since through toward towards under until within without
    """.split()
)
# Particles that are usually adverbs in a headline ("Play Off", "Shut Down"): CMOS 8.159
# and MLA capitalise a preposition used adverbially. A heuristic: always capitalised.
_PARTICLES = frozenset("up down off out away back".split())
_APA_MINOR_MAX = 3  # APA 7 §6.17: words of four letters or more are capitalised
ARTICLE = re.compile(r"^(a|an|the)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class When:
    """A brief's date as far as it is known: year, and month and day when given."""

    year: int
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class Person:
    """An author: given names and family name."""

    given: str
    family: str


def read_date(text: str | None) -> When | None:
    """Read `2025-09-12`, `2025-09` or `2025`; anything else counts as no date."""
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text or "")
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        return When(year)
    if month is not None and day is not None:
        try:
            datetime.date(year, month, day)
        except ValueError:
            day = None
    return When(year, month, day)


def people_of(author: str | None) -> list[Person]:
    """Authors from `Jane Citizen`, `Jane Citizen and Alan Smith` or `A B; C D; E F`."""
    if not author or not author.strip():
        return []
    names = re.split(r"\s*;\s*|\s*,?\s+and\s+|\s*&\s*", author.strip())
    people = []
    for name in filter(None, names):
        given, _, family = name.rpartition(" ")
        people.append(Person(given.strip(), family.strip()))
    return people


def site_of(publisher: str | None) -> tuple[str, str | None]:
    """`The Interpreter, Lowy Institute` is a site and the organisation that publishes it."""
    site, _, owner = (publisher or "").partition(", ")
    return site.strip(), (owner.strip() or None)


def plain(text: str) -> str:
    """The text without its italics markers."""
    return re.sub(r"\*([^*]+)\*", r"\1", text)


def headline(title: str, *, apa: bool = False) -> str:
    """Headline-style capitals: CMOS 8.159 and MLA, or APA 7 §6.17 title case (`apa=True`)."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        core = word.strip("\"'“”\u2018\u2019(").lower()
        minor = core in _MINOR and core not in _PARTICLES
        if apa:
            minor = minor and len(core) <= _APA_MINOR_MAX
        if 0 < i < len(words) - 1 and minor and not words[i - 1].endswith(":"):
            out.append(word if word.isupper() and len(word) > 1 else word.lower())
        else:
            out.append(capitalise(word))
    return " ".join(out)


def capitalise(word: str) -> str:
    """Capitalise the first letter of the word and of each part after a hyphen (CMOS 8.161)."""
    if any(c.isupper() for c in word[1:]):
        return word  # iPhone, McCarthy, Jong-un as written: leave mixed case alone
    parts = word.split("-")
    return "-".join(re.sub(r"^(\W*)(\w)", lambda m: m[1] + m[2].upper(), p) for p in parts)


def end_sentence(text: str) -> str:
    """End an element with a full stop unless it already ends in . ? or !"""
    return text if text.rstrip('*"”').endswith((".", "?", "!")) else text + "."


def quoted(title: str, punct: str) -> str:
    """A quoted title with its following comma or stop inside the quotes (CMOS 6.9), dropped
    when the title ends in ? or ! (CMOS 6.119)."""
    return f"“{title}”" if title.endswith(("?", "!")) else f"“{title}{punct}”"


def long_date(when: When) -> str:
    """`September 12, 2025`, `September 2025` or `2025`."""
    if when.month is None:
        return str(when.year)
    month = MONTHS[when.month - 1]
    return f"{month} {when.day}, {when.year}" if when.day else f"{month} {when.year}"


def us_date(day: datetime.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def mla_date(when: When | datetime.date) -> str:
    """`12 Sept. 2025` (MLA 9 day-month-year with abbreviated months)."""
    if when.month is None:
        return str(when.year)
    month = _MLA_MONTHS[when.month - 1]
    return f"{when.day} {month} {when.year}" if when.day else f"{month} {when.year}"
