"""Readers: a brief file (.txt, .md, .html/.htm, .pdf) becomes a Document of plain-text blocks.

`read_document(path)` picks the reader by extension and checks that the bytes
match it; `read_bytes` does the same for bytes already in memory (a fetched
page). The HTML and PDF readers import their libraries on first use, so
`import index.readers` stays cheap.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.readers.document import Block, Document, FigureCaption, Reason, UnsupportedDocument

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SUFFIXES",
    "Block",
    "Document",
    "FigureCaption",
    "Reason",
    "UnsupportedDocument",
    "read_bytes",
    "read_document",
]

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def read_document(path: Path, *, url: str | None = None) -> Document:
    """Read the file at `path` with the reader for its extension; UnsupportedDocument if unfit.

    `url` is where the file came from, when known: HTML resolves a relative
    canonical link against it, and it is the Document's url when the file names none.
    """
    name = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise UnsupportedDocument(name, "unknown-suffix", path.suffix)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise UnsupportedDocument(name, "too-large", f"{size} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedDocument(name, "unreadable", exc.strerror or type(exc).__name__) from exc
    return read_bytes(data, path.suffix, name=name, url=url)


def read_bytes(
    data: bytes, suffix: str, *, name: str = "<bytes>", url: str | None = None
) -> Document:
    """Read `data` as a file with extension `suffix` (".pdf", ".html"...); `name` labels errors."""
    suffix = suffix.lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsupportedDocument(name, "too-large", f"{len(data)} bytes")
    if not data.strip():
        raise UnsupportedDocument(name, "empty")
    if suffix == ".txt":
        from index.readers.text import read_text

        document = read_text(data, name)
    elif suffix == ".md":
        from index.readers.markdown import read_markdown

        document = read_markdown(data, name)
    elif suffix in (".html", ".htm"):
        from index.readers.html import read_html

        document = read_html(data, name, base_url=url)
    elif suffix == ".pdf":
        from index.readers.pdf import read_pdf

        document = read_pdf(data, name)
    else:
        raise UnsupportedDocument(name, "unknown-suffix", suffix)
    if not document.blocks:
        raise UnsupportedDocument(name, "no-text")
    if url and not document.url:
        document = replace(document, url=url)
    return document
