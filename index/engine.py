"""BM25 ranking over token lists with rank-bm25, for a library of a few thousand passages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index.aliases import GROUP_PREFIX
from index.errors import EmptyCorpus
from index.settings import IndexSettings


class RankBM25Engine:
    """Ranks the passages that contain a query term with rank-bm25.

    rank-bm25 does no tokenising of its own: it is handed our tokens. We call
    `get_batch_scores` on the passages our postings say hold a query term (not
    `get_top_n`, which drops the scores and scans every passage); BM25+ would
    otherwise give passages without any query term a positive score.
    """

    def __init__(self, tokens: Sequence[Sequence[str]], settings: IndexSettings) -> None:
        if not tokens:
            # rank-bm25 divides by the corpus size.
            raise EmptyCorpus()
        corpus = [list(t) for t in tokens]
        if settings.variant == "okapi":
            self._model: BM25Okapi | BM25L | BM25Plus = BM25Okapi(
                corpus, k1=settings.k1, b=settings.b
            )
        elif settings.variant == "bm25l":
            self._model = BM25L(corpus, k1=settings.k1, b=settings.b, delta=settings.delta)
        else:
            self._model = BM25Plus(corpus, k1=settings.k1, b=settings.b, delta=settings.delta)
        # A passage's length is its words; alias group terms are annotations (aliases.py).
        words = [sum(not t.startswith(GROUP_PREFIX) for t in terms) for terms in corpus]
        self._model.doc_len = words
        self._model.avgdl = sum(words) / len(words) or 1.0
        self.postings: dict[str, list[int]] = {}
        for i, terms in enumerate(corpus):
            for term in set(terms):
                self.postings.setdefault(term, []).append(i)

    def columns(
        self, terms: Sequence[str], ids: Sequence[int]
    ) -> list[tuple[list[float], list[bool]]]:
        """For each of `terms`, its score alone in each passage of `ids` and whether each
        holds it: the term's postings made a set once for both."""
        return [self._column(t, ids) for t in terms]

    def holds(self, term: str, ids: Sequence[int]) -> list[bool]:
        """Whether each passage of `ids` contains `term`."""
        return self._column(term, ids)[1]

    def term_scores(self, term: str, ids: Sequence[int]) -> list[float]:
        """The BM25 score of `term` alone in each passage of `ids`; 0 where it is absent."""
        return self._column(term, ids)[0]

    def _column(self, term: str, ids: Sequence[int]) -> tuple[list[float], list[bool]]:
        """`term`'s scores and holds over `ids`. BM25+ adds idf * delta even to passages
        without the term; zeroing those keeps "absent" meaning 0 for every variant."""
        holders = set(self.postings.get(term, ()))
        held = [i in holders for i in ids]
        scores = self._model.get_batch_scores([term], list(ids))
        return [float(s) if h else 0.0 for h, s in zip(held, scores, strict=True)], held

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term`."""
        return len(self.postings.get(term, ()))

    def vocabulary(self) -> Iterable[str]:
        """Every indexed term."""
        return self.postings.keys()

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The best k (passage index, score) among passages holding a query term.

        Ties are broken by passage order, so results are deterministic.
        """
        candidates = sorted({i for t in terms for i in self.postings.get(t, ())})
        if not candidates:
            return []
        # Score only the candidates: the others hold no query term.
        scores = np.asarray(self._model.get_batch_scores(list(terms), candidates))
        order = sorted(range(len(candidates)), key=lambda j: (-scores[j], candidates[j]))
        return [(candidates[j], float(scores[j])) for j in order[:k]]
