"""HTML: the article's text via trafilatura, metadata only from the page's own tags.

trafilatura drops site chrome (header, navigation, related-links footers, figure
captions) and is imported on first use: it takes about 0.2 s to import. Figure captions
are taken from the page itself, each placed before the block that follows it there. Its own
metadata extraction is never used, because it guesses a date from the body text
("In 2023 the government...") when the page declares none.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from index.readers.document import Block, Document, FigureCaption, UnsupportedDocument
from index.readers.text import squash

_LOOKS_LIKE_HTML = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|article|main|div|p|h[1-6])[\s>/]",
    re.IGNORECASE,
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})")
_SNIFF_CHARS = 8192
# Page landmarks that hold site chrome, reported in Document.dropped when none of
# their text reached the blocks.
_CHROME = ("header", "nav", "aside", "footer")
# trafilatura's XML elements that are one block each; anything nested in them that
# is itself one of these is a block of its own.
_BLOCK_TAGS = frozenset({"p", "item", "head", "quote", "row", "list", "table"})
# Elements whose text can be a block: a figcaption stands before the next of them that is one.
_TEXT_TAGS = ("p", "li", "blockquote", "pre", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6")
_DATE_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "dcterms.date"),
    ("name", "citation_publication_date"),
    ("itemprop", "datepublished"),
)


def decode_html(data: bytes, name: str) -> str:
    """The page's text: UTF-8, else its declared charset, else Windows-1252."""
    if b"\x00" in data[:_SNIFF_CHARS]:
        raise UnsupportedDocument(name, "not-html", "NUL bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = _CHARSET.search(data[:_SNIFF_CHARS])
        charset = declared.group(1).decode("ascii") if declared else "cp1252"
        try:
            text = data.decode(charset, errors="replace")
        except LookupError:
            text = data.decode("cp1252", errors="replace")
    head = text[:_SNIFF_CHARS]
    if not head.lstrip().startswith("<") or not _LOOKS_LIKE_HTML.search(head):
        raise UnsupportedDocument(name, "not-html", "no HTML tags at the start")
    return _XML_DECLARATION.sub("", text, count=1)


def _meta(tree: lxml.html.HtmlElement, attr: str, value: str) -> str | None:
    """The content of the first <meta attr=value> (value matched case-insensitively)."""
    for element in tree.iter("meta"):
        if (element.get(attr) or "").strip().lower() == value:
            content = squash(element.get("content") or "")
            if content:
                return content
    return None


def _date(tree: lxml.html.HtmlElement) -> str | None:
    """The publication date the page declares, as YYYY-MM-DD when it is in ISO form."""
    for attr, value in _DATE_META:
        found = _meta(tree, attr, value)
        if found:
            iso = _ISO_DATE.match(found)
            return "-".join(iso.groups()) if iso else found
    return None


def _url(tree: lxml.html.HtmlElement, base_url: str | None) -> str | None:
    """The canonical link, else og:url: absolute http(s) only (a relative one needs `base_url`)."""
    candidates = [
        link.get("href") or ""
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates.append(_meta(tree, "property", "og:url") or "")
    for href in candidates:
        try:
            url = urljoin(base_url, href.strip()) if base_url else href.strip()
            parts = urlsplit(url)
        except ValueError:  # "http://[::1": urllib refuses it; the page has no usable link
            continue
        if parts.scheme in ("http", "https") and parts.netloc:
            return url
    return None


def _title(tree: lxml.html.HtmlElement) -> str | None:
    """og:title (without the site name <title> often appends), else <title>."""
    title = _meta(tree, "property", "og:title")
    if title:
        return title
    element = tree.find(".//title")
    return squash(element.text_content()) or None if element is not None else None


def _author(tree: lxml.html.HtmlElement) -> str | None:
    """meta author, else article:author when it is a name rather than a profile URL."""
    author = _meta(tree, "name", "author") or _meta(tree, "property", "article:author")
    return None if author is None or "://" in author else author


def _own_text(element: etree._Element) -> str:
    """The text of `element` without the text of nested block elements."""
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _BLOCK_TAGS:
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return squash(" ".join(parts) if element.tag == "row" else "".join(parts))


def _blocks(xml: etree._Element, title: str | None) -> Iterator[Block]:
    """Blocks from trafilatura's XML: paragraphs, list items, quotes, table rows."""
    section: str | None = None
    first = True
    for element in xml.iter(*_BLOCK_TAGS):
        if element.tag == "row":
            text = " | ".join(
                c for c in (squash("".join(cell.itertext())) for cell in element) if c
            )
        else:
            text = _own_text(element)
        if not text:
            continue
        if element.tag == "head":
            # The article's own <h1> repeats the title: it is not a section.
            if not (first and title and squash(text).casefold() == squash(title).casefold()):
                section = text
        else:
            yield Block(text, section=section)
        first = False


def _dropped(tree: lxml.html.HtmlElement, kept: str) -> tuple[str, ...]:
    """What chrome the page had that did not reach the blocks: 'nav', 'aside'..."""
    out: list[str] = []
    for tag in _CHROME:
        for element in tree.iter(tag):
            if any(a.tag in _CHROME for a in element.iterancestors()):
                continue
            text = squash(element.text_content())
            if text and text not in kept:
                out.append(tag)
                break
    return tuple(out)


def _match_key(text: str) -> str:
    """Text reduced to lower-case letters and digits, to find a block in the page."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _figure_captions(
    tree: lxml.html.HtmlElement, blocks: tuple[Block, ...], kept: str
) -> tuple[FigureCaption, ...]:
    """Each <figcaption> of the article (not of chrome, not already in the text) once, placed
    before the first block that follows it in the page."""
    positions: dict[str, list[int]] = {}  # block key -> its positions, ascending
    for i, block in enumerate(blocks):
        positions.setdefault(_match_key(block.text), []).append(i)
    out: list[FigureCaption] = []
    seen: set[str] = set()
    following = 0  # the first block not yet met in the page
    for element in tree.iter("figcaption", *_TEXT_TAGS):
        ancestors = {a.tag for a in element.iterancestors()}
        if ancestors & {*_CHROME, "figcaption"}:
            continue
        text = squash(element.text_content())
        if not text:
            continue
        if element.tag == "figcaption":
            if text not in seen and text not in kept:
                seen.add(text)
                out.append(FigureCaption(text, following))
            continue
        at = positions.get(_match_key(text), [])
        found = bisect.bisect_left(at, following)
        if found < len(at):
            following = at[found] + 1
    return tuple(out)


def read_html(data: bytes, name: str, *, base_url: str | None = None) -> Document:
    """A web page as a Document: trafilatura's main text, the page's declared metadata."""
    import trafilatura

    text = decode_html(data, name)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnsupportedDocument(name, "not-html", type(exc).__name__) from exc
    title = _title(tree)
    xml = trafilatura.bare_extraction(
        text,
        output_format="python",
        with_metadata=False,
        include_comments=False,
        include_images=False,
        include_tables=True,
        include_links=False,
        include_formatting=False,
        as_dict=False,
    )
    body = getattr(xml, "body", None)
    blocks = tuple(_blocks(body, title)) if body is not None else ()
    kept = " ".join(b.text for b in blocks) + " " + (title or "")
    return Document(
        title=title,
        author=_author(tree),
        date=_date(tree),
        url=_url(tree, base_url),
        publisher=_meta(tree, "property", "og:site_name"),
        blocks=blocks,
        dropped=_dropped(tree, kept),
        captions=_figure_captions(tree, blocks, kept),
    )
