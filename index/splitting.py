"""Body paragraphs become passages: one per paragraph, long ones split between sentences.

Only a build reads briefs: a question over a saved index loads neither this nor index/brief.py.
"""

from __future__ import annotations

from index.brief import Brief, Paragraph, standfirst_paragraph
from index.passages import Passage, passage_id
from index.sentences import sentence_spans


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
