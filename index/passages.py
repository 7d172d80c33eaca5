"""The passage: the unit we search and quote, its id and its kind (index/splitting.py
cuts a brief into passages).

The standfirst is paragraph 0 and a photo caption standing before paragraph n is
paragraph -n: a caption never takes a body paragraph's number (index.cite words both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.records import quick_init
from index.sentences import sentence_spans

STANDFIRST_NUMBER = 0  # the standfirst, when indexed, is "paragraph 0": before ¶1


@quick_init
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
