"""Settings of the core, in two kinds: what shapes a saved index, and what a search asks.

Changing a build setting rebuilds the index (it is recorded in the index file);
changing a search setting never does (it is passed with each search).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from index.limits import MAX_RESULTS
from index.tokenize import TOKENIZER_VERSION

Variant = Literal["okapi", "bm25l", "bm25plus"]
VARIANTS: tuple[Variant, ...] = ("okapi", "bm25l", "bm25plus")
EngineName = Literal["auto", "rank-bm25", "numpy"]
ENGINES: tuple[EngineName, ...] = ("auto", "rank-bm25", "numpy")


@dataclass(frozen=True)
class IndexSettings:
    """How briefs are split and scored: the build settings, recorded in the index.

    variant: BM25L by default: Okapi gives a term found in half of the passages an
        IDF of zero, silencing `Kim` or `China` on an 8-paragraph brief (README).
    engine: rank-bm25 (small libraries), numpy (large ones: precomputed postings,
        memory-mapped) or auto, which picks by passage count (index/engines.py).
    """

    variant: Variant = "bm25l"
    k1: float = 1.5
    b: float = 0.75
    delta: float = 0.5
    max_passage_chars: int = 1000
    engine: EngineName = "auto"

    def ranking(self) -> dict[str, Any]:
        """What saved scores depend on: every setting but the engine, plus the tokenizer."""
        data = asdict(self)
        del data["engine"]
        data["tokenizer"] = TOKENIZER_VERSION
        return data


@dataclass(frozen=True)
class SearchSettings:
    """What one search asks for; passed at query time, so changing it never rebuilds.

    top_k: passages an answer quotes when the asker does not say (1-MAX_RESULTS).
    min_coverage: share of the question's term weight (IDF) the best passage must
        contain for the brief to count as answering the question.
    min_similarity: when the best passage falls short of min_coverage, the question
        still counts as answered if a candidate passage holds a sentence this close in
        meaning to it (cosine, index/meaning.py); 1 relies on words alone.
    """

    top_k: int = 3
    min_coverage: float = 0.4
    min_similarity: float = 0.65

    def __post_init__(self) -> None:
        if not 1 <= self.top_k <= MAX_RESULTS:
            raise ValueError(f"top_k must be 1-{MAX_RESULTS}")
