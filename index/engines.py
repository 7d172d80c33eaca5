"""Which BM25 engine an index uses: rank-bm25 for small libraries, numpy for large ones."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from index.engine import RankBM25Engine
from index.engine_numpy import NumpyEngine
from index.settings import EngineName, IndexSettings

# `engine: auto` picks the numpy engine from this many passages on. Below it both
# rank in about a millisecond and the JSON index stays readable; at 1,000 passages
# rank-bm25 already takes ~0.15 s to load (it rebuilds its model), numpy ~2 ms,
# and the gap grows linearly (bench/run.py; README, "Performance").
AUTO_NUMPY_FROM = 1000


class Engine(Protocol):
    """What Index.search needs from a BM25 engine."""

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The best k (passage index, score) holding a query term, ties by passage order."""
        ...

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term`."""
        ...

    def vocabulary(self) -> Iterable[str]:
        """Every indexed term."""
        ...

    def term_scores(self, term: str, ids: Sequence[int]) -> list[float]:
        """The BM25 score of `term` alone in each passage of `ids`; 0 where it is absent."""
        ...

    def holds(self, term: str, ids: Sequence[int]) -> list[bool]:
        """Whether each passage of `ids` contains `term`."""
        ...


@runtime_checkable
class PassageLookup(Protocol):
    """Passage sequences that can find a passage without a scan (large_store.PassageTable)."""

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, or None."""
        ...

    def of_brief(self, brief_id: str) -> range:
        """The positions of the passages of `brief_id`."""
        ...


def resolve(engine: EngineName, passages: int) -> EngineName:
    """The engine `engine` stands for with this many passages (`auto` decides by size)."""
    if engine != "auto":
        return engine
    return "numpy" if passages >= AUTO_NUMPY_FROM else "rank-bm25"


def make_engine(tokens: Sequence[Sequence[str]], settings: IndexSettings) -> Engine:
    """A fresh engine over `tokens`, of the kind `settings.engine` resolves to."""
    if resolve(settings.engine, len(tokens)) == "numpy":
        return NumpyEngine.from_tokens(tokens, settings)
    return RankBM25Engine(tokens, settings)
