"""What every reader returns: a document's own metadata and its paragraphs as plain text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.errors import BriefError

# Why a file is not read. Front ends word these; index/ never does.
Reason = Literal[
    "unreadable",  # the file cannot be opened or read (OSError)
    "too-large",  # over the size cap
    "unknown-suffix",  # no reader for this extension
    "empty",  # no bytes, or only whitespace
    "binary",  # NUL bytes in what should be text
    "not-utf8",  # a .txt/.md that does not decode as UTF-8
    "not-html",  # a .html that does not look like HTML or decode as text
    "not-pdf",  # a .pdf that does not start with %PDF-
    "damaged-pdf",  # pypdf cannot parse it
    "encrypted",  # a PDF that needs a password
    "no-text",  # read fine, but no paragraph of text came out (e.g. a scanned PDF)
]


class UnsupportedDocument(BriefError):
    """A file no reader can turn into text; `reason` is a code, `detail` optional data."""

    def __init__(self, path: str, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))
        self.path = path
        self.reason: Reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Block:
    """One paragraph of plain text as a reader sees it; `page` is 1-based, PDFs only.

    `section` is the heading the paragraph sits under (not the title), when the
    format has headings.
    """

    text: str
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class FigureCaption:
    """A figure's caption, kept out of the blocks; `before`: the position in `blocks` of
    the block it stands before (len(blocks) when it comes after the last)."""

    text: str
    before: int


@dataclass(frozen=True)
class Document:
    """A document's own metadata, its paragraphs in reading order, its figure captions
    (apart from the paragraphs), and what was dropped."""

    title: str | None
    author: str | None
    date: str | None
    url: str | None
    publisher: str | None
    blocks: tuple[Block, ...]
    dropped: tuple[str, ...] = ()
    captions: tuple[FigureCaption, ...] = ()


def plural(count: int, noun: str) -> str:
    """'1 caption', '3 captions': the short descriptions in Document.dropped."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
