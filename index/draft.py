"""What a build has read from `seeds/` before a backend turns it into a library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.engines import Engine
from index.library import BriefInfo, Library, PassageList, Skipped, SourceStamp
from index.passages import Passage
from index.settings import IndexSettings
from index.vectors import SentenceVectors


@dataclass(frozen=True)
class Draft:
    """Briefs and passages read for a build, with their provenance.

    origin: per passage, its position in the previous library when it was reused
    unchanged, or -1 when it was read afresh (its terms must be made).
    """

    settings: IndexSettings
    briefs: dict[str, BriefInfo]
    passages: list[Passage]
    origin: list[int]
    sources: dict[str, SourceStamp]
    skipped: tuple[Skipped, ...]
    alias_groups: list[list[str]]
    built_at: str
    vectors: SentenceVectors | None = None

    def library(self, tokens: Sequence[Sequence[str]], engine: Engine) -> Library:
        """The library of this draft, with the terms and engine a backend made for it."""
        return Library(
            settings=self.settings,
            briefs=self.briefs,
            passages=PassageList(self.passages),
            tokens=tokens,
            engine=engine,
            sources=self.sources,
            built_at=self.built_at,
            skipped=self.skipped,
            alias_groups=self.alias_groups,
            vectors=self.vectors,
        )

    def fresh(self) -> list[int]:
        """Positions of the passages read afresh."""
        return [i for i, o in enumerate(self.origin) if o < 0]
