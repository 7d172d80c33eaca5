"""Settings that shape an index; recorded in the index file so a change forces a rebuild."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from index.tokenize import TOKENIZER_VERSION

Variant = Literal["okapi", "bm25l", "bm25plus"]
VARIANTS: tuple[Variant, ...] = ("okapi", "bm25l", "bm25plus")
EngineName = Literal["auto", "rank-bm25", "numpy"]
ENGINES: tuple[EngineName, ...] = ("auto", "rank-bm25", "numpy")


@dataclass(frozen=True)
class IndexSettings:
    """How briefs are split and ranked.

    variant: BM25L by default: Okapi gives a term found in half of the passages an
        IDF of zero, silencing `Kim` or `China` on an 8-paragraph brief (README).
    min_coverage: share of the question's term weight (IDF) the best passage must
        contain for the brief to count as answering the question.
    min_similarity: when the best passage falls short of min_coverage, the question
        still counts as answered if a candidate passage holds a sentence this close in
        meaning to it (cosine, index/meaning.py); 1 relies on words alone.
    engine: rank-bm25 (small libraries), numpy (large ones: precomputed postings,
        memory-mapped) or auto, which picks by passage count (index/engines.py).
    """

    variant: Variant = "bm25l"
    k1: float = 1.5
    b: float = 0.75
    delta: float = 0.5
    max_passage_chars: int = 1000
    min_coverage: float = 0.4
    min_similarity: float = 0.65
    engine: EngineName = "auto"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, as stored in the index manifest."""
        return asdict(self)

    def ranking(self) -> dict[str, Any]:
        """What saved scores depend on: settings bar min_coverage and engine, plus the tokenizer."""
        data = self.as_dict()
        del data["min_coverage"], data["min_similarity"], data["engine"]
        data["tokenizer"] = TOKENIZER_VERSION
        return data
