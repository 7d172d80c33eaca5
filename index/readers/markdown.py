"""Markdown rendered to the plain text a reader sees, with markdown-it-py (CommonMark).

Emphasis and inline code lose their markers, links keep their text, escapes and
entities become the characters they stand for (`\\*new\\*` is `*new*`). The first
level-1 heading is the title; every other heading is not a paragraph but the
`section` of the blocks under it. Each paragraph is a block, and so is each list
item (a list item is usually one point of its own: a recommendation, a finding)
and each table row (cells joined by " | "). Raw HTML blocks and paragraphs that
are only images are dropped and counted in `Document.dropped`.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from index.readers.document import Block, Document, plural
from index.readers.text import decode_text, squash

# Inline tokens whose text a reader sees; markers (em_open, link_open...) render as nothing.
_TEXT_TOKENS = frozenset({"text", "text_special", "code_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})


def _parser() -> MarkdownIt:
    # commonmark leaves typographer off, so quotes and dashes stay as written.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def render_inline(children: Sequence[Token]) -> tuple[str, int]:
    """The plain text of one inline run, and how many images it held (dropped)."""
    out: list[str] = []
    images = 0
    for child in children:
        if child.type in _TEXT_TOKENS:
            out.append(child.content)
        elif child.type in _BREAKS:
            out.append(" ")
        elif child.type == "image":
            images += 1
    return squash("".join(out)), images


class _Walker:
    """One pass over markdown-it's token stream, collecting title, blocks and drops."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.section: str | None = None
        self.blocks: list[Block] = []
        self.row: list[str] | None = None
        self.counts = {"image": 0, "HTML block": 0}

    def inline(self, token: Token, parent: Token | None) -> None:
        """Place the text of one inline token as the title, a section, a cell or a block."""
        text, images = render_inline(token.children or [])
        self.counts["image"] += images
        kind = parent.type if parent is not None else ""
        if kind == "heading_open":
            if self.title is None and parent is not None and parent.tag == "h1":
                self.title = text or None
            else:
                self.section = text or None
        elif kind in ("th_open", "td_open"):
            if self.row is not None:
                self.row.append(text)
        elif text:
            self.blocks.append(Block(text, section=self.section))

    def walk(self, tokens: Sequence[Token]) -> None:
        """Visit every token once, remembering the block token that opened each inline run."""
        parent: Token | None = None
        for token in tokens:
            if token.type == "inline":
                self.inline(token, parent)
            elif token.type == "tr_open":
                self.row = []
            elif token.type == "tr_close":
                cells = [c for c in self.row or [] if c]
                if cells:
                    self.blocks.append(Block(" | ".join(cells), section=self.section))
                self.row = None
            elif token.type in ("code_block", "fence"):
                if token.content.strip():
                    self.blocks.append(Block(squash(token.content), section=self.section))
            elif token.type == "html_block":
                self.counts["HTML block"] += 1
            elif token.nesting == 1:
                parent = token

    def dropped(self) -> tuple[str, ...]:
        """Short descriptions of what was left out, e.g. '2 images'."""
        return tuple(plural(n, noun) for noun, n in self.counts.items() if n)


def read_markdown(data: bytes, name: str) -> Document:
    """A .md file as a Document (see the module docstring for what each construct becomes)."""
    walker = _Walker()
    walker.walk(_parser().parse(decode_text(data, name)))
    return Document(
        title=walker.title,
        author=None,
        date=None,
        url=None,
        publisher=None,
        blocks=tuple(walker.blocks),
        dropped=walker.dropped(),
    )
