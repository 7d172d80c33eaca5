"""Citations: where in which brief a quoted passage stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.records import quick_init

if TYPE_CHECKING:
    from index.passages import Kind

# The styles a brief's reference is written in (index/styles.py writes them); named here so
# that a parser offering them loads no style's rules.
STYLES = ("apa", "mla", "chicago-ad", "chicago-notes")


@quick_init
@dataclass(frozen=True)
class Citation:
    """Brief title, locator such as `¶4`, paragraph number, brief id and url when known.

    `paragraph` is 0 for the standfirst and -n for a caption standing before ¶n;
    `kind` says which: "paragraph", "standfirst" or "caption" (index.passages.kind_of).
    """

    title: str
    locator: str
    paragraph: int
    brief: str
    url: str | None = None
    publisher: str | None = None
    page: int = 0  # the PDF page the paragraph starts on; 0 when the format has no pages
    kind: Kind = "paragraph"

    def label(self) -> str:
        """One-line human label: `Title, ¶4 (publisher)`."""
        where = f"{self.title}, {self.locator}"
        return f"{where} ({self.publisher})" if self.publisher else where


def locator(paragraph: int, part: int = 0, page: int = 0, paragraphs: int = 0) -> str:
    """`¶4`, or `¶4 (part 2)` for the second piece of a split paragraph, `p. 3 ¶4` when
    the brief has pages; paragraph 0 is the standfirst (index.passages.STANDFIRST_NUMBER),
    -n the photo caption before ¶n (`photo caption after ¶9` when n is past the last
    of the brief's `paragraphs`)."""
    if paragraph > 0 and not page and not part:
        return f"\u00b6{paragraph}"  # most citations: a body paragraph, whole, no pages
    if paragraph == 0:
        where = "standfirst"
    elif paragraph < 0 and paragraphs and -paragraph > paragraphs:
        where = f"photo caption after \u00b6{paragraphs}"
    elif paragraph < 0:
        where = f"photo caption before \u00b6{-paragraph}"
    else:
        where = f"\u00b6{paragraph}"
    if page:
        where = f"p. {page} {where}"
    return where if not part else f"{where} (part {part})"
