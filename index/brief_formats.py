"""Briefs in formats with markup (.md, .html, .pdf): a reader's Document becomes a Brief.

The readers (index/readers) turn a file into plain-text blocks and the file's own
metadata. The blocks are laid out as a plain-text brief (title, blank line, one
block per paragraph, a reader's captions each before the block they precede) and
structured by the same rules as a .txt brief, so chrome that slipped past a reader (a
"Share" line, a pull quote) is still dropped, a caption is kept apart from the body, and
spans index that plain text. A PDF paragraph keeps its page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.brief import Brief, parse_brief, read_raw, read_text, with_metadata
from index.errors import UnreadableBrief
from index.readers import MAX_DOCUMENT_BYTES, Document, UnsupportedDocument, read_bytes
from index.readers.document import Reason

# Why a file is not read, as the build lists it (index/ words reasons for the CLI's
# skipped-files list, as index/brief.py does for .txt).
REASONS: dict[Reason, str] = {
    "unreadable": "cannot read it",
    "too-large": "it is over the size limit",
    "unknown-suffix": "not a brief: briefs are .txt, .md, .html, .htm or .pdf files",
    "empty": "it is empty",
    "binary": "it is a binary file, not text",
    "not-utf8": "it is not UTF-8 text",
    "not-html": "it is not an HTML page",
    "not-pdf": "it is not a PDF",
    "damaged-pdf": "the PDF is damaged",
    "encrypted": "the PDF needs a password",
    "no-text": "no text could be read from it (a scanned PDF?)",
}


def reason_text(exc: UnsupportedDocument) -> str:
    """The skipped-files line for a document no reader could use."""
    return REASONS.get(exc.reason, exc.reason) + (f" ({exc.detail})" if exc.detail else "")


def layout(document: Document) -> tuple[str, dict[int, int], frozenset[int]]:
    """The document as plain text (title first when known), each block's page by offset,
    and where the reader's captions start (each laid out before the block it precedes)."""
    pieces: list[str] = []
    pages: dict[int, int] = {}
    captions: set[int] = set()
    offset = 0
    if document.title:
        pieces.append(document.title)
        offset = len(document.title) + 2
    before: dict[int, list[str]] = {}
    for caption in document.captions:
        before.setdefault(caption.before, []).append(caption.text)
    for i, block in enumerate((*document.blocks, None)):
        for text in before.get(i, []):
            captions.add(offset)
            pieces.append(text)
            offset += len(text) + 2
        if block is not None:
            pages[offset] = block.page or 0
            pieces.append(block.text)
            offset += len(block.text) + 2
    return "\n\n".join(pieces), pages, frozenset(captions)


def document_brief(document: Document, brief_id: str, source: str) -> Brief:
    """The brief of a read document (UnreadableBrief when it has no body paragraph)."""
    text, pages, captions = layout(document)
    brief = parse_brief(text, brief_id, caption_starts=captions)
    paragraphs = tuple(replace(p, page=pages.get(p.start, 0)) for p in brief.paragraphs)
    return replace(
        brief,
        title=brief.title,
        paragraphs=paragraphs,
        publisher=document.publisher,
        url=document.url,
        author=document.author,
        date=document.date,
        source=source,
        dropped=document.dropped + brief.dropped,
    )


def read_document_brief(data: bytes, path: Path, brief_id: str, url: str | None = None) -> Brief:
    """The brief in `data`, a file named like `path`; UnreadableBrief says why not."""
    try:
        document = read_bytes(data, path.suffix, name=path.name, url=url)
    except UnsupportedDocument as exc:
        raise UnreadableBrief(reason_text(exc)) from exc
    return document_brief(document, brief_id, path.name)


def load_brief(
    path: Path, metadata: dict[str, str | None] | None = None, brief_id: str | None = None
) -> Brief:
    """Read and structure the brief at `path` (any reader's format), with its metadata
    applied when given; `brief_id` defaults to the file's stem."""
    brief_id = brief_id or path.stem
    if path.suffix.lower() == ".txt":
        text = read_text(path)
        brief = replace(parse_brief(text, brief_id), source=path.name)
    else:
        brief = read_document_brief(read_raw(path, MAX_DOCUMENT_BYTES), path, brief_id)
    return with_metadata(brief, metadata or {}, path.stem)
