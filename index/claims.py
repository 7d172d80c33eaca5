"""Checking a claim against the briefs: the passages that bear on it, each marked as
supporting (close in meaning or words) or only related.

Retrieval finds relevant passages; it cannot judge whether the claim is true (a passage
saying the opposite is close too). Front ends must say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.search import Hit, Searcher, Verdict

# Passages shown for a claim.
CLAIM_PASSAGES = 3


@dataclass(frozen=True)
class Bearing:
    """One passage that bears on a claim; `supports`: close enough in meaning or words."""

    hit: Hit
    supports: bool


@dataclass(frozen=True)
class ClaimCheck:
    """The passages that bear on `claim`; none support it when `supported` is False."""

    claim: str
    verdict: Verdict
    passages: tuple[Bearing, ...]

    @property
    def supported(self) -> bool:
        """True when at least one passage is close enough to count as supporting."""
        return any(b.supports for b in self.passages)


def check_claim(searcher: Searcher, claim: str, k: int = CLAIM_PASSAGES) -> ClaimCheck:
    """Search for `claim`; a passage supports it when its words cover the claim
    (search.min_coverage) or its closest sentence is close in meaning (search.min_similarity).
    A claim the search finds not covered has no supporting passage."""
    answer = searcher.search(claim, k)
    if answer.verdict == "not_covered":
        return ClaimCheck(claim, answer.verdict, ())
    settings = searcher.settings
    bearings = tuple(
        Bearing(
            hit,
            hit.coverage >= settings.min_coverage
            or (hit.similarity is not None and hit.similarity >= settings.min_similarity),
        )
        for hit in answer.shown()
    )
    return ClaimCheck(claim, answer.verdict, bearings)
