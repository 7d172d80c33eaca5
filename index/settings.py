"""Settings of the core, in two kinds: what shapes a saved index, and what a search asks.

Changing a build setting rebuilds the index (it is recorded in the index file);
changing a search setting never does (it is passed with each search).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from index.limits import MAX_RESULTS
from index.tokenize import TOKENIZER_VERSION

# Bump when the same brief can give other passages: saved indexes are then rebuilt.
PASSAGES_VERSION = 3

Variant = Literal["okapi", "bm25l", "bm25plus"]
VARIANTS: tuple[Variant, ...] = ("okapi", "bm25l", "bm25plus")
EngineName = Literal["auto", "rank-bm25", "numpy"]
Ranking = Literal["fused", "words", "meaning"]
RANKINGS: tuple[Ranking, ...] = ("fused", "words", "meaning")
ENGINES: tuple[EngineName, ...] = ("auto", "rank-bm25", "numpy")


@dataclass(frozen=True)
class IndexSettings:
    """How briefs are split and scored: the build settings, recorded in the index.

    variant: BM25L by default: Okapi gives a term found in half of the passages an
        IDF of zero, silencing `Kim` or `China` on an 8-paragraph brief (README).
    engine: rank-bm25 (small libraries), numpy (large ones: precomputed postings,
        memory-mapped) or auto, which picks by passage count (index/engines.py).
    vectors_up_to: sentence meaning vectors are made at build time for libraries of up
        to this many passages (about 30 passages a second on 2 cores); above it they are
        made for the candidates a question reaches, and cached (index/meaning.py).
    """

    variant: Variant = "bm25l"
    k1: float = 1.5
    b: float = 0.75
    delta: float = 0.5
    max_passage_chars: int = 1000
    engine: EngineName = "auto"
    vectors_up_to: int = 2000

    def ranking(self) -> dict[str, Any]:
        """What saved scores depend on: every setting but the engine and vectors_up_to,
        plus the tokenizer."""
        data = asdict(self)
        del data["engine"], data["vectors_up_to"]
        data["tokenizer"] = TOKENIZER_VERSION
        # 2: the standfirst is a passage of its own (paragraph 0); 3: so is each photo
        # caption (paragraph -n, before ¶n).
        data["passages"] = PASSAGES_VERSION
        return data


@dataclass(frozen=True)
class SearchSettings:
    """What one search asks for; passed at query time, so changing it never rebuilds.

    top_k: passages an answer quotes when the asker does not say (1-MAX_RESULTS).
    min_coverage: share of the question's term weight (IDF) the best passage must
        contain for the words alone to say the brief answers the question.
    min_similarity: a passage holding a sentence this close in meaning to the question
        (cosine, index/meaning.py) answers it even when the words fall short.
    refuse_below: "not covered" only when the words fall short AND no sentence is even
        this close; between refuse_below and min_similarity the closest passages are
        shown, framed as possibly not answering it exactly.
    closest_min_coverage: ...but only when the words hold at least this share of the
        question: a question naming the brief's people but asking what it never touches
        ("What did Kim eat for breakfast?") is not covered (0.1 measured: no answerable
        question more refused on the tuning sets, a third more near-topic ones recognised).
    ranking: fused (words and meaning, by reciprocal rank), words or meaning alone
        (the last two are for measuring each half: `briefbot eval`).
    """

    top_k: int = 3
    min_coverage: float = 0.4
    min_similarity: float = 0.6
    refuse_below: float = 0.3
    closest_min_coverage: float = 0.1
    ranking: Ranking = "fused"

    def __post_init__(self) -> None:
        if not 1 <= self.top_k <= MAX_RESULTS:
            raise ValueError(f"top_k must be 1-{MAX_RESULTS}")
