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

from index.cite import STYLES
from index.errors import BriefError
from index.library import BriefInfo
from index.style_text import (
    ARTICLE,
    MONTHS,
    Person,
    When,
    end_sentence,
    headline,
    long_date,
    mla_date,
    people_of,
    plain,
    quoted,
    read_date,
    site_of,
    us_date,
)


class UnknownStyle(BriefError):
    """The citation style is not one of STYLES."""

    def __init__(self, style: str) -> None:
        super().__init__(f"unknown citation style {style!r} (known: {', '.join(STYLES)})")
        self.style = style
        self.known = STYLES


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


def _apa_authors(people: list[Person]) -> str:
    """`Citizen, J.`, `Citizen, J., & Smith, A.` (APA 7 §9.8)."""
    names = [_apa_name(p) for p in people]
    if len(names) == 1:
        return names[0]
    if len(names) > 20:  # APA 7 §9.8: first 19, an ellipsis, then the last
        names = [*names[:19], "...", names[-1]]
        return ", ".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa_name(person: Person) -> str:
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", person.given) if part)
    return f"{person.family}, {initials}" if initials else person.family


def _apa_date(when: When | None) -> str:
    if when is None:
        return "(n.d.)."
    if when.month is None:
        return f"({when.year})."
    month = MONTHS[when.month - 1]
    return f"({when.year}, {month} {when.day})." if when.day else f"({when.year}, {month})."


def _apa(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
    title = f"*{brief.title}*"
    title = title if brief.title.endswith(("?", "!", ".")) else title + "."
    parts = (
        [end_sentence(_apa_authors(people)), _apa_date(when), title]
        if people
        else [title, _apa_date(when)]
    )
    if brief.publisher:
        parts.append(end_sentence(brief.publisher))
    if brief.url:
        if accessed is not None and when is None:  # APA 7 §9.16: undated pages that change
            parts.append(f"Retrieved {us_date(accessed)}, from {brief.url}")
        else:
            parts.append(brief.url)
    return " ".join(parts)


def _apa_in_text(brief: BriefInfo, where: str) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
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


def _mla_authors(people: list[Person]) -> str:
    """`Citizen, Jane`, `Citizen, Jane, and Alan Smith`, `Citizen, Jane, et al.` (MLA 9 5.6)."""
    first = f"{people[0].family}, {people[0].given}" if people[0].given else people[0].family
    if len(people) == 1:
        return first
    if len(people) == 2:
        return f"{first}, and {people[1].given} {people[1].family}".strip()
    return f"{first}, et al"


def _mla(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
    head = [end_sentence(_mla_authors(people))] if people else []
    head.append(quoted(headline(brief.title), "."))
    site, owner = site_of(brief.publisher)
    # Elements after the title are one comma-separated run ending in a full stop (MLA 9 5.2).
    rest = [f"*{site}*"] if site else []
    rest += [x for x in (owner, mla_date(when) if when else None) if x]
    if brief.url:
        rest.append(re.sub(r"^https?://", "", brief.url))
    parts = [*head, end_sentence(", ".join(rest))] if rest else head
    if accessed is not None:  # MLA 9 5.111: optional, advised when the page is undated
        parts.append(f"Accessed {mla_date(accessed)}.")
    return " ".join(parts)


def _mla_in_text(
    brief: BriefInfo, paragraph: int | None, page: int | None, caption: int | None = None
) -> str:
    people = people_of(brief.author)
    where = _locator(paragraph, page, "par.", caption=caption, paragraphs=brief.paragraphs)
    if caption is not None:
        paragraph = caption  # a labelled locator, placed as a paragraph's is
    if not people:
        title = headline(brief.title)
        if paragraph is None:  # no comma before a page number or at the end (MLA 9 6.22)
            return "(" + " ".join(filter(None, [f"“{title}”", str(page or "")])) + ")"
        # A labelled locator follows a comma, inside the quotes; none after ? or ! (CMOS 6.119).
        return f"({quoted(title, ',')} {where})"
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


def _chicago_authors(people: list[Person]) -> str:
    """`Citizen, Jane`, `Citizen, Jane, and Alan Smith` (CMOS 14.76)."""
    first = f"{people[0].family}, {people[0].given}" if people[0].given else people[0].family
    others = [f"{p.given} {p.family}".strip() for p in people[1:]]
    if not others:
        return first
    if len(people) > 10:  # CMOS 14.76: first seven, then et al.
        return ", ".join([first, *others[:6]]) + ", et al"
    return ", ".join([first, *others[:-1]]) + ", and " + others[-1]


def _chicago_names(people: list[Person]) -> str:
    """`Jane Citizen`, `Jane Citizen and Alan Smith`, `Jane Citizen et al.` (CMOS 14.76)."""
    names = [f"{p.given} {p.family}".strip() for p in people]
    if len(names) > 3:
        return f"{names[0]} et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _chicago_ad(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
    title = quoted(headline(brief.title), ".")
    year = f"{when.year}." if when else "n.d."
    parts = [end_sentence(_chicago_authors(people)), year, title] if people else [title, year]
    tail = [brief.publisher] if brief.publisher else []
    if when and when.month:
        tail.append(long_date(when))  # CMOS 15.51: month and day repeated after the site
    if tail:
        parts.append(end_sentence(", ".join(tail)))
    if accessed is not None and when is None:  # CMOS 15.50: an access date for undated pages
        parts.append(f"Accessed {us_date(accessed)}.")
    if brief.url:
        parts.append(end_sentence(brief.url))
    return " ".join(parts)


def _chicago_ad_in_text(brief: BriefInfo, where: str) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
    if not people:
        who = quoted(headline(brief.title), "")
    elif len(people) <= 3:
        who = _chicago_names([Person("", p.family) for p in people])
    else:
        who = f"{people[0].family} et al."
    year = str(when.year) if when else "n.d."
    cited = f"{who} {year}"
    return f"({cited}, {where})" if where else f"({cited})"


def _chicago_bibliography(brief: BriefInfo, accessed: datetime.date | None) -> str:
    people, when = people_of(brief.author), read_date(brief.date)
    parts = [end_sentence(_chicago_authors(people))] if people else []
    parts.append(quoted(headline(brief.title), "."))
    tail = [brief.publisher] if brief.publisher else []
    if when:
        tail.append(long_date(when))
    if tail:
        parts.append(end_sentence(", ".join(tail)))
    if accessed is not None and when is None:
        parts.append(f"Accessed {us_date(accessed)}.")
    if brief.url:
        parts.append(end_sentence(brief.url))
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
    people, when = people_of(brief.author), read_date(brief.date)
    title = f"“{headline(brief.title)}”"
    parts = [f"{_chicago_names(people)}, {title}" if people else title]
    if brief.publisher:
        parts.append(brief.publisher)
    if when:
        parts.append(long_date(when))
    elif accessed is not None:
        parts.append(f"accessed {us_date(accessed)}")
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
    return end_sentence(text)


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
    return (ARTICLE.sub("", text).casefold(), entry)


def reference_list(
    briefs: Iterable[BriefInfo], style: str, *, accessed: datetime.date | None = None
) -> list[str]:
    """The entries of `briefs`, each once, in alphabetical order of their first element."""
    entries = {reference(b, style, accessed=accessed) for b in briefs}
    return sorted(entries, key=_sort_key)
