"""Which BM25 engine ranks a library: rank-bm25 for small libraries, numpy for large ones.

The one place an engine is chosen; the backends (index/backends.py) ask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from index.settings import EngineName, IndexSettings

# `engine: auto` picks the numpy engine from this many passages on. Below it both
# rank in about a millisecond and the JSON index stays readable; at 1,000 passages
# rank-bm25 already takes ~0.15 s to load (it rebuilds its model), numpy ~2 ms,
# and the gap grows linearly (bench/run.py; README, "Performance").
AUTO_NUMPY_FROM = 1000


class Engine(Protocol):
    """What the searcher needs from a BM25 engine."""

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The best k (passage index, score) holding a query term, ties by passage order."""
        ...

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term`."""
        ...

    def vocabulary(self) -> Iterable[str]:
        """Every indexed term."""
        ...

    def columns(
        self, terms: Sequence[str], ids: Sequence[int]
    ) -> list[tuple[list[float], list[bool]]]:
        """For each of `terms`, its BM25 score alone in each passage of `ids` (0 where it
        is absent) and whether each passage holds it."""
        ...


def engine_kind(settings: IndexSettings, passages: int) -> EngineName:
    """The engine `settings.engine` stands for with this many passages (`auto` decides by size)."""
    if settings.engine != "auto":
        return settings.engine
    return "numpy" if passages >= AUTO_NUMPY_FROM else "rank-bm25"


def make_engine(tokens: Sequence[Sequence[str]], settings: IndexSettings) -> Engine:
    """A fresh engine over `tokens`, of the kind the settings choose for their number."""
    if engine_kind(settings, len(tokens)) == "numpy":
        from index.engine_numpy import NumpyEngine

        return NumpyEngine.from_tokens(tokens, settings)
    from index.engine import RankBM25Engine

    return RankBM25Engine(tokens, settings)
