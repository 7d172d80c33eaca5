"""The references of quoted passages in every style: the data both front ends render
(Discord in bot/render_study.py, the terminal in bot/console_study.py). No discord here."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index import Library
from index.cite import STYLES
from index.diff import text_hash
from index.library import BriefInfo
from index.passages import Passage
from index.styles import in_text, reference_list


@dataclass(frozen=True)
class StyleBlock:
    """One style: the reference entries (one per brief) and the in-text citations (or, for
    chicago-notes, the full notes) of the quoted paragraphs, in the order quoted."""

    style: str
    references: tuple[str, ...]
    in_text: tuple[str, ...]


def quoted_paragraphs(library: Library, passage_ids: Sequence[str]) -> list[Passage]:
    """The passages still in `library`, one per (brief, paragraph), in the order given."""
    seen: set[tuple[str, int]] = set()
    out = []
    for pid in passage_ids:
        passage = library.passage(pid)
        if passage is not None and (passage.brief, passage.paragraph) not in seen:
            seen.add((passage.brief, passage.paragraph))
            out.append(passage)
    return out


def style_blocks(
    library: Library,
    passages: Sequence[Passage],
    styles: Sequence[str] = STYLES,
    *,
    accessed: datetime.date | None = None,
    prepare: Callable[[BriefInfo], BriefInfo] = lambda brief: brief,
) -> list[StyleBlock]:
    """Each style's references and in-text citations for `passages` (`prepare` adapts a
    brief's metadata first, e.g. escapes it for Discord)."""
    briefs = {p.brief: prepare(library.briefs[p.brief]) for p in passages}
    blocks = []
    for style in styles:
        cites = tuple(
            in_text(
                briefs[p.brief],
                style,
                # Paragraph 0 is the standfirst: cited without a paragraph number; a
                # caption is cited as the photo caption before its paragraph.
                paragraph=p.paragraph if p.kind == "paragraph" else None,
                caption=p.before or None,
                accessed=accessed,
            )
            for p in passages
        )
        refs = tuple(reference_list(briefs.values(), style, accessed=accessed))
        blocks.append(StyleBlock(style, refs, tuple(dict.fromkeys(cites))))
    return blocks


def brief_blocks(
    library: Library,
    brief_ids: Sequence[str],
    styles: Sequence[str] = STYLES,
    *,
    accessed: datetime.date | None = None,
) -> list[StyleBlock]:
    """Each style's references and in-text citations of whole briefs (no paragraph): what
    an answer from a brief's metadata cites."""
    briefs = [library.briefs[b] for b in dict.fromkeys(brief_ids) if b in library.briefs]
    return [
        StyleBlock(
            style,
            tuple(reference_list(briefs, style, accessed=accessed)),
            tuple(dict.fromkeys(in_text(b, style, accessed=accessed) for b in briefs)),
        )
        for style in styles
    ]


def changed_since(
    library: Library, quoted: Sequence[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """Of the (passage id, text hash) pairs an answer quoted: the locators of those whose
    text changed since, and the ids of those no longer in the library."""
    changed, gone = [], []
    for pid, digest in quoted:
        passage = library.passage(pid)
        if passage is None:
            gone.append(pid)
        elif text_hash(passage.text) != digest:
            changed.append(library.citation(passage).locator)
    return changed, gone
