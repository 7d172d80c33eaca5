"""Body paragraphs become passages: one per paragraph, long ones split between sentences."""

from __future__ import annotations

from dataclasses import dataclass

from index.brief import Brief, Paragraph, standfirst_paragraph
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
    side when its paragraph was split, so a cut does not hide the context of a part."""
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


def passages_of(brief: Brief, max_chars: int, *, standfirst: bool = False) -> list[Passage]:
    """The passages of `brief` in reading order, with deterministic ids `brief:¶[.part]`.

    With `standfirst`, the standfirst comes first as paragraph 0 (`brief:0`), cited as
    "standfirst" (index.cite.locator).
    """
    lead = standfirst_paragraph(brief) if standfirst else None
    out: list[Passage] = []
    for paragraph in ([lead] if lead else []) + list(brief.paragraphs):
        if len(paragraph.text) <= max_chars:
            spans = [(0, len(paragraph.text))]
        else:
            spans = _split(paragraph, max_chars)
        for part, (start, end) in enumerate(spans, start=1):
            suffix = f".{part}" if len(spans) > 1 else ""
            out.append(
                Passage(
                    id=f"{brief.id}:{paragraph.number}{suffix}",
                    brief=brief.id,
                    paragraph=paragraph.number,
                    part=part if len(spans) > 1 else 0,
                    start=paragraph.start + start,
                    end=paragraph.start + end,
                    text=paragraph.text[start:end],
                    page=paragraph.page,
                )
            )
    return out
