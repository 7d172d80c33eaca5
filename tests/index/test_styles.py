"""Citation styles against worked examples of each style's rules (APA 7, MLA 9, CMOS 17)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from index.library import BriefInfo
from index.style_text import headline, plain
from index.styles import (
    STYLES,
    UnknownStyle,
    in_text,
    note,
    reference,
    reference_list,
)

TITLE = "Can North Korea play off Russia against China?"
URL = "https://www.lowyinstitute.org/the-interpreter/x"

# The seed brief's metadata: no author, no date, no url.
SEED = BriefInfo(
    id="interpreter-can-north-korea-play-off-russia-against-china",
    title=TITLE,
    standfirst="",
    publisher="The Interpreter, Lowy Institute",
    url=None,
    author=None,
    date=None,
    source="interpreter-can-north-korea-play-off-russia-against-china.txt",
    paragraphs=9,
)
FULL = dataclasses.replace(SEED, id="full", author="Jane Citizen", date="2025-09-12", url=URL)
ACCESSED = datetime.date(2025, 9, 20)

HEAD = "Can North Korea Play Off Russia against China?"  # CMOS 8.159 / MLA headline style


@pytest.mark.parametrize(
    ("brief", "style", "expected"),
    [
        # APA 7 §10.16 webpage: Author. (Date). *Title*. Site. URL; no author: title first.
        (
            FULL,
            "apa",
            f"Citizen, J. (2025, September 12). *{TITLE}* The Interpreter, Lowy Institute. {URL}",
        ),
        (SEED, "apa", f"*{TITLE}* (n.d.). The Interpreter, Lowy Institute."),
        # MLA 9: Author. "Title." *Site*, Publisher, Day Mon. Year, URL (no https://).
        (
            FULL,
            "mla",
            f"Citizen, Jane. “{HEAD}” *The Interpreter*, Lowy Institute, 12 Sept. 2025, "
            "www.lowyinstitute.org/the-interpreter/x.",
        ),
        (SEED, "mla", f"“{HEAD}” *The Interpreter*, Lowy Institute."),
        # CMOS 15.51 author-date: Author. Year. "Title." Site, Month Day, Year. URL.
        (
            FULL,
            "chicago-ad",
            f"Citizen, Jane. 2025. “{HEAD}” The Interpreter, Lowy Institute, "
            f"September 12, 2025. {URL}.",
        ),
        (SEED, "chicago-ad", f"“{HEAD}” n.d. The Interpreter, Lowy Institute."),
        # CMOS 14.206 bibliography: Author. "Title." Site, Month Day, Year. URL.
        (
            FULL,
            "chicago-notes",
            f"Citizen, Jane. “{HEAD}” The Interpreter, Lowy Institute, September 12, 2025. {URL}.",
        ),
        (SEED, "chicago-notes", f"“{HEAD}” The Interpreter, Lowy Institute."),
    ],
)
def test_reference(brief, style, expected):
    assert reference(brief, style) == expected


@pytest.mark.parametrize(
    ("brief", "style", "expected"),
    [
        (FULL, "apa", "(Citizen, 2025, para. 4)"),
        (SEED, "apa", "(*Can North Korea Play Off Russia Against China?*, n.d., para. 4)"),
        # MLA 9 6.22: a comma before a labelled locator; none after a title ending in "?".
        (FULL, "mla", "(Citizen, par. 4)"),
        (SEED, "mla", f"(“{HEAD}” par. 4)"),
        (FULL, "chicago-ad", "(Citizen 2025, para. 4)"),
        (SEED, "chicago-ad", f"(“{HEAD}” n.d., para. 4)"),
        # CMOS 14.206 full note: locator before the URL, no comma after the "?" title.
        (
            FULL,
            "chicago-notes",
            f"Jane Citizen, “{HEAD}” The Interpreter, Lowy Institute, September 12, 2025, "
            f"par. 4, {URL}.",
        ),
        (SEED, "chicago-notes", f"“{HEAD}” The Interpreter, Lowy Institute, par. 4."),
    ],
)
def test_in_text_with_paragraph(brief, style, expected):
    assert in_text(brief, style, paragraph=4) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "(Citizen, 2025, p. 12)"),
        ("mla", "(Citizen 12)"),  # MLA: page number bare, no comma
        ("chicago-ad", "(Citizen 2025, 12)"),  # CMOS: page number bare
    ],
)
def test_in_text_with_page(style, expected):
    assert in_text(FULL, style, page=12) == expected


@pytest.mark.parametrize(
    ("caption", "style", "expected"),
    [
        # A photo caption: described where it stands, as a locator (never "para. -6").
        (6, "apa", "(Citizen, 2025, photo caption before para. 6)"),
        (6, "mla", "(Citizen, photo caption before par. 6)"),
        (6, "chicago-ad", "(Citizen 2025, photo caption before para. 6)"),
        (
            6,
            "chicago-notes",
            f"Jane Citizen, “{HEAD}” The Interpreter, Lowy Institute, September 12, 2025, "
            f"photo caption before par. 6, {URL}.",
        ),
        # Past the last of the brief's 9 paragraphs: after it.
        (10, "apa", "(Citizen, 2025, photo caption after para. 9)"),
    ],
)
def test_in_text_of_a_caption(caption, style, expected):
    assert in_text(FULL, style, caption=caption) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [("apa", "(Citizen, 2025)"), ("mla", "(Citizen)"), ("chicago-ad", "(Citizen 2025)")],
)
def test_in_text_without_locator(style, expected):
    assert in_text(FULL, style) == expected


def test_title_without_question_mark_takes_the_comma_inside_the_quotes():
    brief = dataclasses.replace(SEED, title="The rise of China")
    assert (
        note(brief, paragraph=2) == "“The Rise of China,” The Interpreter, Lowy Institute, par. 2."
    )
    assert in_text(brief, "mla", paragraph=2) == "(“The Rise of China,” par. 2)"
    assert reference(brief, "mla") == "“The Rise of China.” *The Interpreter*, Lowy Institute."
    assert (
        reference(brief, "apa") == "*The rise of China*. (n.d.). The Interpreter, Lowy Institute."
    )


def test_accessed_date_where_each_style_uses_it():
    undated = dataclasses.replace(SEED, url=URL)
    assert reference(undated, "apa", accessed=ACCESSED) == (
        f"*{TITLE}* (n.d.). The Interpreter, Lowy Institute. "
        f"Retrieved September 20, 2025, from {URL}"
    )
    assert reference(SEED, "mla", accessed=ACCESSED).endswith("Accessed 20 Sept. 2025.")
    assert "accessed September 20, 2025, par. 4" in note(SEED, paragraph=4, accessed=ACCESSED)
    # A dated page needs no access date in APA or Chicago.
    assert "Retrieved" not in reference(FULL, "apa", accessed=ACCESSED)
    assert "Accessed" not in reference(FULL, "chicago-ad", accessed=ACCESSED)


TWO = "Jane Citizen and Alan Smith"
THREE = "Jane Citizen; Alan Smith; Bo Li"


@pytest.mark.parametrize(
    ("author", "style", "ref_start", "cite"),
    [
        (TWO, "apa", "Citizen, J., & Smith, A. (2025", "(Citizen & Smith, 2025)"),
        (THREE, "apa", "Citizen, J., Smith, A., & Li, B. (", "(Citizen et al., 2025)"),
        (TWO, "mla", "Citizen, Jane, and Alan Smith. “", "(Citizen and Smith)"),
        (THREE, "mla", "Citizen, Jane, et al. “", "(Citizen et al.)"),
        (TWO, "chicago-ad", "Citizen, Jane, and Alan Smith. 2025.", "(Citizen and Smith 2025)"),
    ],
)
def test_several_authors(author, style, ref_start, cite):
    brief = dataclasses.replace(FULL, author=author)
    assert reference(brief, style).startswith(ref_start)
    assert in_text(brief, style) == cite


@pytest.mark.parametrize(
    ("date", "apa_date"),
    [("2025", "(2025)."), ("2025-09", "(2025, September)."), ("sometime", "(n.d.).")],
)
def test_partial_and_unreadable_dates(date, apa_date):
    assert apa_date in reference(dataclasses.replace(FULL, date=date), "apa")


@pytest.mark.parametrize(
    ("title", "apa", "expected"),
    [
        ("the war in Ukraine: a view from Seoul", False, "The War in Ukraine: A View from Seoul"),
        ("a treaty between Russia and China", True, "A Treaty Between Russia and China"),
        ("a treaty between Russia and China", False, "A Treaty between Russia and China"),
        ("why the US-ROK alliance matters", False, "Why the US-ROK Alliance Matters"),
    ],
)
def test_headline(title, apa, expected):
    assert headline(title, apa=apa) == expected


def test_reference_list_dedups_and_sorts_by_first_element_ignoring_articles():
    other = dataclasses.replace(SEED, id="b", title="The alliance of 1961")
    byauthor = dataclasses.replace(FULL, id="c", author="Alan Beta")
    for style in STYLES:
        entries = reference_list([SEED, other, SEED, byauthor], style)
        assert len(entries) == 3, style
        firsts = [plain(e).lstrip("“")[:5].casefold() for e in entries]
        assert firsts == ["the a", "beta,", "can n"], (style, entries)


def test_unknown_style_and_two_locators_are_errors():
    with pytest.raises(UnknownStyle) as info:
        reference(SEED, "harvard")
    assert info.value.style == "harvard"
    with pytest.raises(UnknownStyle):
        in_text(SEED, "vancouver", paragraph=1)
    with pytest.raises(ValueError, match="not both"):
        in_text(SEED, "apa", paragraph=1, page=2)


def test_plain_removes_only_the_italics_markers():
    assert plain(reference(SEED, "apa")) == f"{TITLE} (n.d.). The Interpreter, Lowy Institute."
