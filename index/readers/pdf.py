"""PDF: pypdf's text, rebuilt into paragraphs with each block's page number.

pypdf gives lines in the order the file draws them; a visitor records where
each line starts. From that: running headers and footers (the same line at the
top or bottom of most pages) and page numbers are dropped; a paragraph ends at a
vertical gap wider than the usual line spacing or at an indented first line;
wrapped lines are joined, and a hyphen at a line end is removed when the joined
word is common English ("govern-" + "ment"), kept otherwise ("long-term"). A
paragraph cut by a page or column break goes on when its text so far does not
end a sentence. pypdf is imported on first use.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.readers.document import Block, Document, UnsupportedDocument
from index.readers.text import squash

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

# A line that is only a page number: "7", "Page 7", "7 of 12", "- 7 -".
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-\u2013]\s*\d{1,4}\s*[-\u2013]$", re.I
)
_SENTENCE_END = re.compile("[.!?\u2026:][\"'\u201d\u2019)\\]]*$")
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "ft", "ﬆ": "st"}
)
_JUNK_TITLE = re.compile(r"^(microsoft \w+ - |untitled)|\.(docx?|pdf|indd|rtf|odt|pptx?)$", re.I)
# How many lines at each end of a page may be a running header or footer.
_EDGE_LINES = 2
# A gap between lines wider than this many times the usual spacing starts a paragraph.
_GAP_FACTOR = 1.3
# A first line indented by at least this (points) starts a paragraph; a bigger jump is a column.
_INDENT_MIN, _INDENT_MAX = 5.0, 60.0
# The joined word must be at least this common (wordfreq Zipf) to drop a line-end hyphen.
_JOINED_WORD_ZIPF = 3.0


@dataclass
class _Line:
    page: int
    text: str = ""
    x: float = math.nan
    y: float = math.nan
    parts: list[str] = field(default_factory=list)


def _page_lines(page: PageObject, number: int) -> list[_Line]:
    """The lines of one page in drawing order, each with the position of its first glyph."""
    lines = [_Line(number)]

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        for i, segment in enumerate(text.split("\n")):
            if i:
                lines.append(_Line(number))
            line = lines[-1]
            if segment.strip() and math.isnan(line.x):
                line.x, line.y = x, y
            line.parts.append(segment)

    page.extract_text(visitor_text=visit)
    out = []
    for line in lines:
        line.text = squash("".join(line.parts).translate(_LIGATURES))
        if line.text and not math.isnan(line.y):
            out.append(line)
    return out


def _edges(lines: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """The top and bottom lines of one page by position (not drawing order)."""
    by_height = sorted(lines, key=lambda line: -line.y)
    return by_height[:_EDGE_LINES], by_height[-_EDGE_LINES:][::-1]


def _key(text: str) -> str:
    """A line with its digits masked, so 'Page 3' and 'Page 4' repeat."""
    return re.sub(r"\d+", "#", text.casefold())


def _chrome(pages: list[list[_Line]]) -> tuple[set[int], list[str]]:
    """ids of lines that are running headers, footers or page numbers; what was dropped."""
    drop: set[int] = set()
    dropped: list[str] = []
    numbered = 0
    for where, pick in (("header", 0), ("footer", 1)):
        edge_lines = [_edges(lines)[pick] for lines in pages]
        for lines in edge_lines:
            for line in lines:
                if _PAGE_NUMBER.match(line.text) and id(line) not in drop:
                    drop.add(id(line))
                    numbered += 1
        counts = Counter(
            k for lines in edge_lines for k in {_key(x.text) for x in lines if id(x) not in drop}
        )
        for key, count in counts.items():
            if count >= 2 and count * 2 >= len(pages):
                hits = [x for lines in edge_lines for x in lines if _key(x.text) == key]
                drop.update(id(x) for x in hits)
                dropped.append(f"running {where} {hits[0].text!r} on {count} pages")
    if numbered:
        dropped.append("page numbers")
    return drop, dropped


def _spacing(lines: list[_Line]) -> float:
    """The usual distance between consecutive lines (the median downward step)."""
    steps = [
        round(a.y - b.y, 1) for a, b in itertools.pairwise(lines) if a.page == b.page and a.y > b.y
    ]
    return statistics.median(steps) if steps else 0.0


def _join(text: str, line: str) -> str:
    """Append a wrapped line, mending a hyphenated line break when the word is common."""
    if text.endswith("\u00ad"):
        return text[:-1] + line
    before = re.search(r"([A-Za-z]+)-$", text)
    after = re.match(r"[a-z]+", line)
    if before and after:
        from index.english import zipf

        joined = before.group(1) + after.group()
        if zipf(joined.lower()) >= _JOINED_WORD_ZIPF:
            return text[:-1] + line
        return text + line
    return f"{text} {line}"


def _starts_paragraph(prev: _Line, line: _Line, spacing: float) -> bool | None:
    """True: a new paragraph; False: the same one; None: a page or column break (decide by text)."""
    if line.page != prev.page or line.y > prev.y + 1:
        return None
    if spacing and prev.y - line.y > spacing * _GAP_FACTOR:
        return True
    return _INDENT_MIN <= line.x - prev.x <= _INDENT_MAX


def _paragraphs(lines: list[_Line]) -> Iterator[Block]:
    """Blocks from lines in reading order, joined into paragraphs."""
    spacing = _spacing(lines)
    text, page, prev = "", 0, None
    for line in lines:
        new = True if prev is None else _starts_paragraph(prev, line, spacing)
        if new is None:
            new = bool(_SENTENCE_END.search(text))
        if new and text:
            yield Block(text, page=page)
        if new:
            text, page = line.text, line.page
        else:
            text = _join(text, line.text)
        prev = line
    if text:
        yield Block(text, page=page)


def _metadata(reader: PdfReader) -> tuple[str | None, str | None, str | None]:
    """Title, author and creation date (YYYY-MM-DD) from the PDF's info dictionary."""
    info = reader.metadata
    if info is None:
        return None, None, None
    title = squash(str(info.title or "")) or None
    if title and _JUNK_TITLE.search(title):
        title = None  # a file name or "Microsoft Word - draft.docx", not a title
    author = squash(str(info.author or "")) or None
    try:
        created = info.creation_date
    except ValueError:  # a malformed date string
        created = None
    return title, author, created.date().isoformat() if created else None


def _damage() -> tuple[type[Exception], ...]:
    """What reading a damaged PDF raises: pypdf's own errors and, deep in a malformed
    object, Python's (found by mutating test PDFs: an unknown filter name raises
    NotImplementedError, a missing object AttributeError). pypdf is imported on first use."""
    from pypdf.errors import PyPdfError

    return (
        PyPdfError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        NotImplementedError,
        RecursionError,
    )


def _open(data: bytes, name: str) -> PdfReader:
    """A pypdf reader for `data`, decrypted when it only has an empty user password."""
    from pypdf import PdfReader

    if not data.startswith(b"%PDF-"):
        raise UnsupportedDocument(name, "not-pdf", "does not start with %PDF-")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedDocument(name, "encrypted")
        if not len(reader.pages):  # parses the page tree: a damaged one fails here
            raise UnsupportedDocument(name, "no-text", "no pages")
    except _damage() as exc:
        if "decrypt" in str(exc).lower():  # e.g. AES without the cryptography package
            raise UnsupportedDocument(name, "encrypted", type(exc).__name__) from exc
        raise UnsupportedDocument(name, "damaged-pdf", type(exc).__name__) from exc
    return reader


def read_pdf(data: bytes, name: str) -> Document:
    """A PDF as a Document: paragraphs with page numbers, running chrome dropped."""
    reader = _open(data, name)
    damage = _damage()
    try:
        pages = [_page_lines(page, n) for n, page in enumerate(reader.pages, start=1)]
    except damage as exc:
        raise UnsupportedDocument(name, "damaged-pdf", type(exc).__name__) from exc
    drop, dropped = _chrome(pages)
    lines = [line for line in _flatten(pages) if id(line) not in drop]
    try:
        title, author, date = _metadata(reader)
    except damage:  # a damaged info dictionary: the text was read, only its metadata is lost
        title = author = date = None
    return Document(
        title=title,
        author=author,
        date=date,
        url=None,
        publisher=None,
        blocks=tuple(_paragraphs(lines)),
        dropped=tuple(dropped),
    )


def _flatten(pages: Iterable[list[_Line]]) -> Iterator[_Line]:
    for lines in pages:
        yield from lines
