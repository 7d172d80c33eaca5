"""Plain text: the UTF-8 check that .txt and .md share, and paragraphs split on blank lines."""

from __future__ import annotations

import re

from index.readers.document import Block, Document, UnsupportedDocument

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_SPACES = re.compile(r"\s+")


def decode_text(data: bytes, name: str) -> str:
    """`data` as UTF-8 text with newlines normalised; UnsupportedDocument if it is not text."""
    if b"\x00" in data:
        raise UnsupportedDocument(name, "binary", f"NUL byte at offset {data.index(0)}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedDocument(name, "not-utf8", f"bad byte at offset {exc.start}") from exc
    if not text.strip():
        raise UnsupportedDocument(name, "empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def squash(text: str) -> str:
    """Runs of whitespace (newlines included) become one space; ends trimmed."""
    return _SPACES.sub(" ", text).strip()


def read_text(data: bytes, name: str) -> Document:
    """A .txt file: one block per run of non-blank lines, its lines joined by spaces.

    Plain text has no markup for a title, so `title` is None and the first line
    stays the first block: deciding that it is a title is the caller's business.
    """
    text = decode_text(data, name)
    blocks = tuple(Block(squash(p)) for p in _PARAGRAPH_BREAK.split(text) if p.strip())
    return Document(title=None, author=None, date=None, url=None, publisher=None, blocks=blocks)
