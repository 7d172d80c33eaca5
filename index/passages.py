"""Body paragraphs become passages: one per paragraph, long ones split between sentences.

The standfirst is paragraph 0 and a photo caption standing before paragraph n is
paragraph -n: a caption never takes a body paragraph's number (index.cite words both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.brief import STANDFIRST_NUMBER, Brief, Paragraph, standfirst_paragraph
from index.sentences import sentence_spans


@dataclass(frozen=True)
class Passage:
    """The unit we search and quote; `start`/`end` locate its text in the source file
    (in the brief's plain text for a format read by index/readers); `page` is the
    1-based page a PDF paragraph starts on, 0 for formats without pages."""

    id: str
    brief: str
    paragraph: int
    part: int
    start: int
    end: int
    text: str
    page: int = 0

    @property
    def kind(self) -> Kind:
        """What part of the brief it quotes: a body paragraph, the standfirst or a caption."""
        return kind_of(self.paragraph)

    @property
    def before(self) -> int:
        """For a caption, the number of the body paragraph it stands before; else 0."""
        return -self.paragraph if self.paragraph < 0 else 0


Kind = Literal["paragraph", "standfirst", "caption"]
KINDS: tuple[Kind, ...] = ("paragraph", "standfirst", "caption")
CAPTION_ID = "c"  # a caption's id: `brief:c4` stands before ¶4 (`brief:c4.2` for a second one)


def kind_of(paragraph: int) -> Kind:
    """The kind of passage a paragraph number stands for (0 standfirst, -n caption)."""
    if paragraph < 0:
        return "caption"
    return "standfirst" if paragraph == STANDFIRST_NUMBER else "paragraph"


def passage_id(brief: str, paragraph: int, part: int) -> str:
    """The id of a passage: `brief:4`, `brief:4.2` (part 2), `brief:0` (standfirst),
    `brief:c4` (the caption before ¶4)."""
    where = f"{CAPTION_ID}{-paragraph}" if paragraph < 0 else str(paragraph)
    return f"{brief}:{where}" + (f".{part}" if part else "")


def parse_passage_id(text: str) -> tuple[str, int, int] | None:
    """(brief, paragraph, part) of a passage id; None when it is not one."""
    brief, _, where = text.rpartition(":")
    number, _, part = where.partition(".")
    caption = number.startswith(CAPTION_ID)
    number = number.removeprefix(CAPTION_ID)
    if not brief or not number.isdigit() or not (part.isdigit() or not part):
        return None
    if caption and int(number) < 1:
        return None
    return brief, -int(number) if caption else int(number), int(part or 0)


def _word_cuts(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """`text[start:end]` in pieces of at most max_chars, cut at the last space that fits.

    Only a single word longer than max_chars is cut inside the word.
    """
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = max(text.rfind(" ", start + 1, limit + 1), text.rfind("\t", start + 1, limit + 1))
        if cut < 0:
            cut = limit
        piece_end = len(text[start:cut].rstrip()) + start
        pieces.append((start, piece_end))
        start = cut
        while start < end and text[start] in " \t":
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def _split(paragraph: Paragraph, max_chars: int) -> list[tuple[int, int]]:
    """Spans (within the paragraph) of parts no longer than max_chars, cut between sentences.

    A single sentence longer than max_chars (or text with no sentence boundary at all)
    is cut between words, so no passage is ever longer than max_chars.
    """
    text = paragraph.text
    parts: list[tuple[int, int]] = []
    for sentence_start, sentence_end in sentence_spans(text):
        for start, end in _word_cuts(text, sentence_start, sentence_end, max_chars):
            if parts and end - parts[-1][0] <= max_chars:
                parts[-1] = (parts[-1][0], end)
            else:
                parts.append((start, end))
    return parts


def indexed_text(passages: list[Passage], i: int) -> str:
    """The text indexed for passage i: its own, plus the neighbouring sentence on each
    side when its paragraph was split, so a cut does not hide the context of a part. (A
    question about "the photo" finds a caption through index/parts.py.)"""
    passage = passages[i]
    if not passage.part:
        return passage.text
    pieces = [passage.text]
    if i > 0 and passages[i - 1].paragraph == passage.paragraph and passages[i - 1].part:
        before = passages[i - 1].text
        pieces.insert(0, before[sentence_spans(before)[-1][0] :])
    if i + 1 < len(passages) and passages[i + 1].paragraph == passage.paragraph:
        after = passages[i + 1].text
        if passages[i + 1].part > 1:
            pieces.append(after[: sentence_spans(after)[0][1]])
    return " ".join(pieces)


def _caption_paragraphs(brief: Brief) -> dict[int, list[Paragraph]]:
    """The brief's captions as paragraphs numbered -n, by the body paragraph n they precede."""
    out: dict[int, list[Paragraph]] = {}
    for caption in brief.captions:
        paragraph = Paragraph(-caption.before, caption.text, caption.start, caption.end)
        out.setdefault(caption.before, []).append(paragraph)
    return out


def _pieces(paragraph: Paragraph, max_chars: int) -> list[tuple[int, int]]:
    if len(paragraph.text) <= max_chars:
        return [(0, len(paragraph.text))]
    return _split(paragraph, max_chars)


def passages_of(
    brief: Brief, max_chars: int, *, standfirst: bool = False, captions: bool = False
) -> list[Passage]:
    """The passages of `brief` in reading order, with deterministic ids (passage_id).

    With `standfirst`, the standfirst comes first as paragraph 0 (`brief:0`), cited as
    "standfirst"; with `captions`, each caption comes before the body paragraph n it
    precedes, as paragraph -n (`brief:cn`), cited as a caption (index.cite.locator).
    Several captions before the same paragraph (or one long enough to split) are parts.
    """
    lead = standfirst_paragraph(brief) if standfirst else None
    before = _caption_paragraphs(brief) if captions else {}
    groups: list[list[tuple[Paragraph, int, int]]] = (
        [[(lead, s, e) for s, e in _pieces(lead, max_chars)]] if lead else []
    )
    for number in range(1, len(brief.paragraphs) + 2):
        pieces = [(c, s, e) for c in before.get(number, []) for s, e in _pieces(c, max_chars)]
        if pieces:
            groups.append(pieces)
        if number <= len(brief.paragraphs):
            paragraph = brief.paragraphs[number - 1]
            groups.append([(paragraph, s, e) for s, e in _pieces(paragraph, max_chars)])
    out: list[Passage] = []
    for group in groups:
        for part, (paragraph, start, end) in enumerate(group, start=1):
            part = part if len(group) > 1 else 0
            out.append(
                Passage(
                    id=passage_id(brief.id, paragraph.number, part),
                    brief=brief.id,
                    paragraph=paragraph.number,
                    part=part,
                    start=paragraph.start + start,
                    end=paragraph.start + end,
                    text=paragraph.text[start:end],
                    page=paragraph.page,
                )
            )
    return out
