"""Reference entries and in-text citations of a brief in APA 7, MLA 9 and Chicago 17.

Every brief is cited as a work on a website (APA 7 §10.16 "webpage on a website",
MLA 9 "work on a website", CMOS 17 14.206 "website content"): a page on a site
published by an organisation. Italics are marked with single asterisks, Markdown
style (`*The Interpreter*`), which Discord renders; `plain()` removes them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.brief import BriefInfo
from index.errors import BriefError

STYLES = ("apa", "mla", "chicago-ad", "chicago-notes")

_MONTHS = (
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
_ARTICLE = re.compile(r"^(a|an|the)\s+", re.IGNORECASE)


class UnknownStyle(BriefError):
    """The citation style is not one of STYLES."""

    def __init__(self, style: str) -> None:
        super().__init__(f"unknown citation style {style!r} (known: {', '.join(STYLES)})")
        self.style = style
        self.known = STYLES


@dataclass(frozen=True)
class _When:
    """A brief's date as far as it is known: year, and month and day when given."""

    year: int
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class _Person:
    given: str
    family: str


def _when(text: str | None) -> _When | None:
    """Read `2025-09-12`, `2025-09` or `2025`; anything else counts as no date."""
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text or "")
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        return _When(year)
    if month is not None and day is not None:
        try:
            datetime.date(year, month, day)
        except ValueError:
            day = None
    return _When(year, month, day)


def _people(author: str | None) -> list[_Person]:
    """Authors from `Jane Citizen`, `Jane Citizen and Alan Smith` or `A B; C D; E F`."""
    if not author or not author.strip():
        return []
    names = re.split(r"\s*;\s*|\s*,?\s+and\s+|\s*&\s*", author.strip())
    people = []
    for name in filter(None, names):
        given, _, family = name.rpartition(" ")
        people.append(_Person(given.strip(), family.strip()))
    return people


def _site(publisher: str | None) -> tuple[str, str | None]:
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
            out.append(_capitalise(word))
    return " ".join(out)


def _capitalise(word: str) -> str:
    """Capitalise the first letter of the word and of each part after a hyphen (CMOS 8.161)."""
    if any(c.isupper() for c in word[1:]):
        return word  # iPhone, McCarthy, Jong-un as written: leave mixed case alone
    parts = word.split("-")
    return "-".join(re.sub(r"^(\W*)(\w)", lambda m: m[1] + m[2].upper(), p) for p in parts)


def _end(text: str) -> str:
    """End an element with a full stop unless it already ends in . ? or !"""
    return text if text.rstrip('*"”').endswith((".", "?", "!")) else text + "."


def _quoted(title: str, punct: str) -> str:
    """A quoted title with its following comma or stop inside the quotes (CMOS 6.9), dropped
    when the title ends in ? or ! (CMOS 6.119)."""
    return f"“{title}”" if title.endswith(("?", "!")) else f"“{title}{punct}”"


def _long_date(when: _When) -> str:
    """`September 12, 2025`, `September 2025` or `2025`."""
    if when.month is None:
        return str(when.year)
    month = _MONTHS[when.month - 1]
    return f"{month} {when.day}, {when.year}" if when.day else f"{month} {when.year}"


def _us_date(day: datetime.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _mla_date(when: _When | datetime.date) -> str:
    """`12 Sept. 2025` (MLA 9 day-month-year with abbreviated months)."""
    if when.month is None:
        return str(when.year)
    month = _MLA_MONTHS[when.month - 1]
    return f"{when.day} {month} {when.year}" if when.day else f"{month} {when.year}"


def _locator(
    paragraph: int | None,
    page: int | None,
    par: str,
    p: str = "",
    caption: int | None = None,
    paragraphs: int = 0,
) -> str:
    """`par. 4`, or the page: `p. 12` in APA, a bare `12` in Chicago (CMOS 14.148); for
    the photo caption before paragraph `caption`: `photo caption before par. 4` (`after
    par. 9` past the last of the brief's `paragraphs`), a description as a locator."""
    if paragraph is not None and page is not None:
        raise ValueError("give a paragraph or a page, not both")
    if caption is not None:
        if paragraphs and caption > paragraphs:
            return f"photo caption after {par} {paragraphs}"
        return f"photo caption before {par} {caption}"
    if page is not None:
        return f"{p} {page}".strip()
    return f"{par} {paragraph}" if paragraph is not None else ""


# --- APA 7 -------------------------------------------------------------------------------


def _apa_authors(people: list[_Person]) -> str:
    """`Citizen, J.`, `Citizen, J., & Smith, A.` (APA 7 §9.8)."""
    names = [_apa_name(p) for p in people]
    if len(names) == 1:
        return names[0]
    if len(names) > 20:  # APA 7 §9.8: first 19, an ellipsis, then the last
        names = [*names[:19], "...", names[-1]]
        return ", ".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa_name(person: _Person) -> str:
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", person.given) if part)
    return f"{person.family}, {initials}" if initials else person.family


def _apa_date(when: _When | None) -> str:
    if when is None:
        return "(n.d.)."
    if when.month is None:
        return f"({when.year})."
    month = _MONTHS[when.month - 1]
    return f"({when.year}, {month} {when.day})." if when.day else f"({when.year}, {month})."


def _apa(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = _people(brief.author), _when(brief.date)
    title = f"*{brief.title}*"
    title = title if brief.title.endswith(("?", "!", ".")) else title + "."
    parts = (
        [_end(_apa_authors(people)), _apa_date(when), title] if people else [title, _apa_date(when)]
    )
    if brief.publisher:
        parts.append(_end(brief.publisher))
    if brief.url:
        if accessed is not None and when is None:  # APA 7 §9.16: undated pages that change
            parts.append(f"Retrieved {_us_date(accessed)}, from {brief.url}")
        else:
            parts.append(brief.url)
    return " ".join(parts)


def _apa_in_text(brief: BriefInfo, where: str) -> str:
    people, when = _people(brief.author), _when(brief.date)
    if not people:
        who = f"*{headline(brief.title, apa=True)}*"
    elif len(people) == 1:
        who = people[0].family
    elif len(people) == 2:
        who = f"{people[0].family} & {people[1].family}"
    else:
        who = f"{people[0].family} et al."
    year = str(when.year) if when else "n.d."
    return "(" + ", ".join(filter(None, [who, year, where])) + ")"


# --- MLA 9 -------------------------------------------------------------------------------


def _mla_authors(people: list[_Person]) -> str:
    """`Citizen, Jane`, `Citizen, Jane, and Alan Smith`, `Citizen, Jane, et al.` (MLA 9 5.6)."""
    first = f"{people[0].family}, {people[0].given}" if people[0].given else people[0].family
    if len(people) == 1:
        return first
    if len(people) == 2:
        return f"{first}, and {people[1].given} {people[1].family}".strip()
    return f"{first}, et al"


def _mla(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = _people(brief.author), _when(brief.date)
    head = [_end(_mla_authors(people))] if people else []
    head.append(_quoted(headline(brief.title), "."))
    site, owner = _site(brief.publisher)
    # Elements after the title are one comma-separated run ending in a full stop (MLA 9 5.2).
    rest = [f"*{site}*"] if site else []
    rest += [x for x in (owner, _mla_date(when) if when else None) if x]
    if brief.url:
        rest.append(re.sub(r"^https?://", "", brief.url))
    parts = [*head, _end(", ".join(rest))] if rest else head
    if accessed is not None:  # MLA 9 5.111: optional, advised when the page is undated
        parts.append(f"Accessed {_mla_date(accessed)}.")
    return " ".join(parts)


def _mla_in_text(
    brief: BriefInfo, paragraph: int | None, page: int | None, caption: int | None = None
) -> str:
    people = _people(brief.author)
    where = _locator(paragraph, page, "par.", caption=caption, paragraphs=brief.paragraphs)
    if caption is not None:
        paragraph = caption  # a labelled locator, placed as a paragraph's is
    if not people:
        title = headline(brief.title)
        if paragraph is None:  # no comma before a page number or at the end (MLA 9 6.22)
            return "(" + " ".join(filter(None, [f"“{title}”", str(page or "")])) + ")"
        # A labelled locator follows a comma, inside the quotes; none after ? or ! (CMOS 6.119).
        return f"({_quoted(title, ',')} {where})"
    if len(people) == 1:
        who = people[0].family
    elif len(people) == 2:
        who = f"{people[0].family} and {people[1].family}"
    else:
        who = f"{people[0].family} et al."
    if paragraph is None:
        return "(" + " ".join(filter(None, [who, str(page or "")])) + ")"
    return f"({who}, {where})"  # MLA 9 6.22: a comma before a labelled locator such as par.


# --- Chicago 17 --------------------------------------------------------------------------


def _chicago_authors(people: list[_Person]) -> str:
    """`Citizen, Jane`, `Citizen, Jane, and Alan Smith` (CMOS 14.76)."""
    first = f"{people[0].family}, {people[0].given}" if people[0].given else people[0].family
    others = [f"{p.given} {p.family}".strip() for p in people[1:]]
    if not others:
        return first
    if len(people) > 10:  # CMOS 14.76: first seven, then et al.
        return ", ".join([first, *others[:6]]) + ", et al"
    return ", ".join([first, *others[:-1]]) + ", and " + others[-1]


def _chicago_names(people: list[_Person]) -> str:
    """`Jane Citizen`, `Jane Citizen and Alan Smith`, `Jane Citizen et al.` (CMOS 14.76)."""
    names = [f"{p.given} {p.family}".strip() for p in people]
    if len(names) > 3:
        return f"{names[0]} et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _chicago_ad(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = _people(brief.author), _when(brief.date)
    title = _quoted(headline(brief.title), ".")
    year = f"{when.year}." if when else "n.d."
    parts = [_end(_chicago_authors(people)), year, title] if people else [title, year]
    tail = [brief.publisher] if brief.publisher else []
    if when and when.month:
        tail.append(_long_date(when))  # CMOS 15.51: month and day repeated after the site
    if tail:
        parts.append(_end(", ".join(tail)))
    if accessed is not None and when is None:  # CMOS 15.50: an access date for undated pages
        parts.append(f"Accessed {_us_date(accessed)}.")
    if brief.url:
        parts.append(_end(brief.url))
    return " ".join(parts)


def _chicago_ad_in_text(brief: BriefInfo, where: str) -> str:
    people, when = _people(brief.author), _when(brief.date)
    if not people:
        who = _quoted(headline(brief.title), "")
    elif len(people) <= 3:
        who = _chicago_names([_Person("", p.family) for p in people])
    else:
        who = f"{people[0].family} et al."
    year = str(when.year) if when else "n.d."
    cited = f"{who} {year}"
    return f"({cited}, {where})" if where else f"({cited})"


def _chicago_bibliography(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = _people(brief.author), _when(brief.date)
    parts = [_end(_chicago_authors(people))] if people else []
    parts.append(_quoted(headline(brief.title), "."))
    tail = [brief.publisher] if brief.publisher else []
    if when:
        tail.append(_long_date(when))
    if tail:
        parts.append(_end(", ".join(tail)))
    if accessed is not None and when is None:
        parts.append(f"Accessed {_us_date(accessed)}.")
    if brief.url:
        parts.append(_end(brief.url))
    return " ".join(parts)


def note(
    brief: BriefInfo,
    *,
    paragraph: int | None = None,
    page: int | None = None,
    caption: int | None = None,
    accessed: datetime.date | None = None,
) -> str:
    """The full Chicago footnote (CMOS 14.206), without its number, locator before the URL."""
    people, when = _people(brief.author), _when(brief.date)
    title = f"“{headline(brief.title)}”"
    parts = [f"{_chicago_names(people)}, {title}" if people else title]
    if brief.publisher:
        parts.append(brief.publisher)
    if when:
        parts.append(_long_date(when))
    elif accessed is not None:
        parts.append(f"accessed {_us_date(accessed)}")
    parts.append(_locator(paragraph, page, "par.", caption=caption, paragraphs=brief.paragraphs))
    if brief.url:
        parts.append(brief.url)
    text = parts[0] + "".join(f", {p}" for p in parts[1:] if p)
    return _close(text)


def _close(text: str) -> str:
    """Punctuation around a closing quote: commas and the final stop go inside (CMOS 6.9),
    and none follows a title ending in ? or ! (CMOS 6.119)."""
    text = re.sub(r"([?!])”,", r"\1”", text).replace("”,", ",”")
    if text.endswith("”"):
        return text if text[-2] in "?!." else text[:-1] + ".”"
    return _end(text)


# --- Public API --------------------------------------------------------------------------


def reference(brief: BriefInfo, style: str, *, accessed: datetime.date | None = None) -> str:
    """The entry for the reference list (APA), works cited (MLA) or bibliography (Chicago)."""
    if style == "apa":
        return _apa(brief, accessed)
    if style == "mla":
        return _mla(brief, accessed)
    if style == "chicago-ad":
        return _chicago_ad(brief, accessed)
    if style == "chicago-notes":
        return _chicago_bibliography(brief, accessed)
    raise UnknownStyle(style)


def in_text(
    brief: BriefInfo,
    style: str,
    *,
    paragraph: int | None = None,
    page: int | None = None,
    caption: int | None = None,
    accessed: datetime.date | None = None,
) -> str:
    """The in-text citation, e.g. `(Citizen, 2025, para. 4)`; the full note for chicago-notes.

    `caption`: the quote is the photo caption before paragraph `caption` (no `paragraph`
    then): `(Citizen, 2025, photo caption before para. 4)`.
    """
    n = brief.paragraphs
    if style == "apa":
        return _apa_in_text(brief, _locator(paragraph, page, "para.", "p.", caption, n))
    if style == "mla":
        return _mla_in_text(brief, paragraph, page, caption)
    if style == "chicago-ad":
        return _chicago_ad_in_text(brief, _locator(paragraph, page, "para.", "", caption, n))
    if style == "chicago-notes":
        return note(brief, paragraph=paragraph, page=page, caption=caption, accessed=accessed)
    raise UnknownStyle(style)


def _sort_key(entry: str) -> tuple[str, str]:
    """Alphabetise by the first element, ignoring quotes, italics and a leading article."""
    text = plain(entry).lstrip("“\"'\u2018")
    return (_ARTICLE.sub("", text).casefold(), entry)


def reference_list(
    briefs: Iterable[BriefInfo], style: str, *, accessed: datetime.date | None = None
) -> list[str]:
    """The entries of `briefs`, each once, in alphabetical order of their first element."""
    entries = {reference(b, style, accessed=accessed) for b in briefs}
    return sorted(entries, key=_sort_key)
