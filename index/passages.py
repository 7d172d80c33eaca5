"""Body paragraphs become passages: one per paragraph, long ones split between sentences."""

from __future__ import annotations

from dataclasses import dataclass

from index.brief import Brief, Paragraph
from index.sentences import sentence_spans


@dataclass(frozen=True)
class Passage:
    """The unit we search and quote; `start`/`end` locate its text in the source file."""

    id: str
    brief: str
    paragraph: int
    part: int
    start: int
    end: int
    text: str


def _split(paragraph: Paragraph, max_chars: int) -> list[tuple[int, int]]:
    """Spans (within the paragraph) of parts no longer than max_chars, cut between sentences.

    A single sentence longer than max_chars stays whole: we never cut mid-sentence.
    """
    parts: list[tuple[int, int]] = []
    for start, end in sentence_spans(paragraph.text):
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


def passages_of(brief: Brief, max_chars: int) -> list[Passage]:
    """The passages of `brief` in reading order, with deterministic ids `brief:¶[.part]`."""
    out: list[Passage] = []
    for paragraph in brief.paragraphs:
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
                )
            )
    return out
