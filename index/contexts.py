"""Brief contexts tokenised on first use: the terms of each brief's title and standfirst,
for a library held in memory (a study server's few briefs). The mapped format keeps them
as postings instead (index/mapped_contexts.py's ContextTable)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.kept import Kept
from index.library import Library

# Brief contexts kept between questions: all of a study server's briefs, a fraction of a
# large library's (whose memory would otherwise grow with every brief a question meets).
CONTEXTS_KEPT = 4096


class TokenisedContexts:
    """The Contexts of a library's briefs, each tokenised by `terms_of` when first asked."""

    def __init__(self, library: Library, terms_of: Callable[[str], list[str]]) -> None:
        self.library = library
        self._terms_of = terms_of
        self._kept: Kept[str, frozenset[str]] = Kept(CONTEXTS_KEPT)

    def holds(self, terms: Sequence[str], ids: Sequence[int]) -> list[list[bool]]:
        """For each of `terms`, whether the brief of each passage of `ids` holds it."""
        of = self.library.passages.brief_of
        held = [self._of(of(i)) for i in ids]
        return [[t in h for h in held] for t in terms]

    def _of(self, brief_id: str) -> frozenset[str]:
        terms = self._kept.get(brief_id)
        if terms is None:
            brief = self.library.briefs[brief_id]
            terms = frozenset(self._terms_of(f"{brief.title}\n{brief.standfirst}"))
            self._kept.keep(brief_id, terms)
        return terms
