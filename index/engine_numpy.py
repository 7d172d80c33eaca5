"""BM25 for large libraries: precomputed scores in numpy arrays, searched with MaxScore pruning.

Each (term, passage) pair's BM25 contribution is computed once at build time
(index/postings_build.py) and stored as a 16-bit quantum of its tier, in postings
sorted by passage, two tiers per term (CSR). A query adds up the lists of its terms;
lists whose best possible contribution can no longer lift a passage into the top k are
only looked up for the passages already in the running (MaxScore), so common words do
not cost a full scan. The top k runs in index/_maxscore.c where it was compiled, with
the numpy path here as the fallback and the reference (the same results, bit for bit).

The arrays can live in memory or be numpy views over a memory-mapped index file
(index/mapped_backend.py), so loading costs no parsing and little memory.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType

import numpy as np

from index.candidates_numpy import best_of, scores_of
from index.errors import EmptyCorpus
from index.kept import Kept
from index.postings_build import (
    Array,
    encode_tokens,
    merged_postings,
    score_postings,
)
from index.settings import IndexSettings
from index.sorted_keys import sorted_finder

_kernel: ModuleType | None
try:  # the compiled top-k (setup.py); without it, the same results from numpy alone
    import index._maxscore as _kernel  # not `from index import`: no import of the package
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _kernel = None

# Arrays that make up the engine; mapped_backend.py saves and maps exactly these.
ARRAY_NAMES = (
    "terms",  # S<n>: the vocabulary, UTF-8, sorted bytewise; a term's id is its position
    "post_ptr",  # int64[T*V+1]: term t's tier j is [ptr[T*t+j], ptr[T*t+j+1]), highest first
    "post_doc",  # int32[nnz]: passage index of each posting, ascending within a tier
    "post_score",  # uint16[nnz]: the BM25 contribution, in quanta of its tier (post_unit)
    "post_tf",  # uint8[nnz]: the term's count in the passage (255: see tf_over)
    "tf_over_at",  # int64: the postings whose count is 255 or more ...
    "tf_over",  # int32: ... and their counts (rare: a word 255 times in one passage)
    "post_unit",  # float64[T*V]: each tier's quantum (a score is post_score * post_unit)
    "max_score",  # float64[T*V]: the largest contribution in each tier (MaxScore bound)
    "doc_words",  # int32[N]: each passage's length in words (its BM25 length)
)
# Terms whose lookups are remembered per table (a few MiB at most): the engine's term
# ids here (the oldest forgotten first, index/kept.py), and index/mapped_contexts.py's
# title postings slices.
KNOWN_TERMS = 50_000
# What _known.get answers for a term never looked up (None: looked up, and absent).
_UNKNOWN = object()
# Float sums of the same impacts in another order differ in the last bits: bounds get slack.
_SLACK = 1 + 1e-9


class NumpyEngine:
    """Ranks passages from precomputed BM25 postings; same interface as RankBM25Engine."""

    def __init__(self, arrays: Mapping[str, Array], settings: IndexSettings) -> None:
        missing = [name for name in ARRAY_NAMES if name not in arrays]
        if missing:
            raise ValueError(f"engine arrays missing: {', '.join(missing)}")
        self.arrays = dict(arrays)
        self._terms = arrays["terms"]
        self._find_term = sorted_finder(self._terms)
        self._ptr = arrays["post_ptr"]
        # Read as Python ints (a term's document frequency): 0.05 us an item where a numpy
        # scalar and its int() took 0.3 (a copy only where it is not native int64 in a row).
        self._ptr_items = np.ascontiguousarray(self._ptr, dtype=np.int64).data
        self._doc = arrays["post_doc"]
        self._score = arrays["post_score"]
        self._unit = arrays["post_unit"]
        self._max = arrays["max_score"]
        self.size = len(arrays["doc_words"])
        if self.size <= 0:
            raise EmptyCorpus()
        vocab = len(self._terms)
        # Tiers per term, from the arrays (files written with other edges still load).
        self._tiers = (len(self._ptr) - 1) // vocab if vocab else 1
        if len(self._ptr) != self._tiers * vocab + 1 or len(self._max) != self._tiers * vocab:
            raise ValueError("postings do not match the vocabulary")
        if len(self._unit) != len(self._max):
            raise ValueError("postings do not match the vocabulary")
        if int(self._ptr[-1]) != len(self._doc) or len(self._doc) != len(self._score):
            raise ValueError("postings arrays disagree in length")
        self._plus = settings.delta if settings.variant == "bm25plus" else 0.0
        self._local = threading.local()
        # The compiled top-k reads postings as int32 / uint16, offsets as int64 and bounds
        # and quanta as float64, each in one piece and the machine's byte order (a mapped
        # file's arrays are, on a little-endian machine); other layouts fall back to numpy.
        layout: list[tuple[Array, type[np.generic]]] = [
            (self._doc, np.int32),
            (self._score, np.uint16),
            (self._ptr, np.int64),
            (self._unit, np.float64),
            (self._max, np.float64),
        ]
        self.compiled = all(a.dtype == kind and a.flags.c_contiguous for a, kind in layout)
        self._known: Kept[str, int | None] = Kept(KNOWN_TERMS)

    @classmethod
    def from_tokens(cls, tokens: Iterable[Sequence[str]], settings: IndexSettings) -> NumpyEngine:
        """Build the engine from each passage's tokens."""
        return cls.from_forward(encode_tokens(tokens), settings)

    @classmethod
    def from_forward(cls, forward: Mapping[str, Array], settings: IndexSettings) -> NumpyEngine:
        """Build the engine from a forward index (encode_tokens, encode.encode_texts); the
        forward index stays in memory for `tokens`, but is not saved."""
        return cls({**forward, **score_postings(forward, settings)}, settings)

    @classmethod
    def refreshed(
        cls,
        previous: NumpyEngine,
        origin: Sequence[int],
        new: Mapping[str, Array],
        settings: IndexSettings,
    ) -> NumpyEngine:
        """Passage i is previous's origin[i], or (origin -1) the next one of `new`: the
        kept passages' postings are reused (their counts are stored), never re-tokenised."""
        merged = merged_postings(previous.arrays, previous._tiers, origin, new, settings)
        return cls(merged, settings)

    def term_id(self, term: str) -> int | None:
        """The id of `term` in the vocabulary, or None when no passage contains it."""
        # Queries repeat words (Zipf): a dict hit costs ~50 ns, a bytewise search more.
        found = self._known.get(term, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        return self._known.keep(term, self._find(term))

    def _find(self, term: str) -> int | None:
        return self._find_term(term.encode("utf-8"))

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term`."""
        i = self.term_id(term)
        return 0 if i is None else self._df(i)

    def _df(self, t: int) -> int:
        ptr = self._ptr_items
        return ptr[self._tiers * (t + 1)] - ptr[self._tiers * t]

    def _slots(self, t: int) -> range:
        """The postings lists (tiers) of term t."""
        return range(self._tiers * t, self._tiers * (t + 1))

    def vocabulary(self) -> Iterator[str]:
        """Every indexed term, in bytewise order."""
        return (t.decode("utf-8") for t in self._terms)

    def tokens(self, i: int) -> list[str]:
        """The tokens of passage `i`, as indexed: only an engine built in this process has
        them (the forward index is not saved; mapped_tables.TokenTable re-reads the text)."""
        if "doc_terms" not in self.arrays:
            raise LookupError("this engine keeps no forward index")
        ptr, ids = self.arrays["doc_ptr"], self.arrays["doc_terms"]
        return [t.decode("utf-8") for t in self._terms[ids[ptr[i] : ptr[i + 1]]].tolist()]

    def columns(
        self, terms: Sequence[str], ids: Sequence[int]
    ) -> list[tuple[list[float], list[bool]]]:
        """For each of `terms`, its BM25 score alone in each passage of `ids` (0 where
        absent) and whether each holds it: one lookup a term gives both."""
        found = [self.term_id(term) for term in terms]
        if _kernel is not None and self.compiled:
            # Every term's lookups in one call, its tiers read in C: the numpy path's
            # additions, a binary search a tier and passage (a call a term: 16 of 40 us).
            looked_up: list[tuple[list[float], list[bool]]] = _kernel.columns(
                self._doc, self._score, self._ptr, self._unit, self._tiers, found, ids
            )
        else:
            looked_up = [self._column_numpy(t, ids) for t in found]
        if self._plus:
            looked_up = [
                self._with_plus(t, column) for t, column in zip(found, looked_up, strict=True)
            ]
        return looked_up

    def term_scores(self, term: str, ids: Sequence[int]) -> list[float]:
        """The BM25 score of `term` alone in each passage of `ids`; 0 where it is absent."""
        return self.columns([term], ids)[0][0]

    def holds(self, term: str, ids: Sequence[int]) -> list[bool]:
        """Whether each passage of `ids` contains `term`."""
        return self.columns([term], ids)[0][1]

    def _with_plus(
        self, t: int | None, column: tuple[list[float], list[bool]]
    ) -> tuple[list[float], list[bool]]:
        """BM25+'s idf * delta added to the passages that hold term t (score > 0)."""
        if t is None:
            return column
        delta = self._plus * math.log((self.size + 1) / self._df(t))
        result, held = column
        return [x + delta if x > 0 else x for x in result], held

    def _column_numpy(self, t: int | None, ids: Sequence[int]) -> tuple[list[float], list[bool]]:
        """Term t's column without the compiled kernel: each tier searched for the
        candidates (no term: nothing held)."""
        if t is None or not ids:
            return [0.0] * len(ids), [False] * len(ids)
        cand = np.asarray(ids, dtype=np.int64)
        _, aux = self._scratch()
        scores = np.zeros(cand.size)
        found = np.zeros(cand.size, dtype=bool)
        for tier in self._slots(t):
            docs, tier_scores, unit = self._postings(tier)
            scores += scores_of(cand, docs, tier_scores, aux) * unit
            if docs.size:
                pos = np.minimum(np.searchsorted(docs, cand), docs.size - 1)
                found |= docs[pos] == cand
        return scores.tolist(), found.tolist()

    def _spans(self, t: int) -> list[tuple[int, int, float]]:
        """Term t's tiers as (lo, hi, unit): where its postings lie and their quantum."""
        tiers = self._tiers
        ptr = self._ptr[tiers * t : tiers * (t + 1) + 1].tolist()
        unit = self._unit[tiers * t : tiers * (t + 1)].tolist()
        return [(ptr[j], ptr[j + 1], unit[j]) for j in range(tiers)]

    def _postings(self, t: int) -> tuple[Array, Array, float]:
        lo, hi = int(self._ptr[t]), int(self._ptr[t + 1])
        return self._doc[lo:hi], self._score[lo:hi], float(self._unit[t])

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The best k (passage index, score) among passages holding a query term.

        Ties are broken by passage order, so results are deterministic.
        """
        counts: dict[int, int] = {}
        for term in terms:
            t = self.term_id(term)
            if t is not None:
                counts[t] = counts.get(t, 0) + 1  # a repeated query term counts again
        if not counts or k <= 0:
            return []
        plus = 0.0
        if self._plus:
            # rank-bm25's BM25+ adds idf * delta for each query term, present or not.
            df = np.array([self._df(t) for t in counts], dtype=np.float64)
            idf = np.log((self.size + 1) / df)
            plus = self._plus * float(np.dot(idf, list(counts.values())))
        if _kernel is not None and self.compiled:
            # The lists below, made, ordered and bounded in C (30 of a query's 100 us here).
            total, aux = self._scratch()
            work, ids = self._kernel_scratch()
            top: list[tuple[int, float]] = _kernel.top_terms(
                self._doc,
                self._score,
                self._ptr,
                self._unit,
                self._max,
                self._tiers,
                list(counts.items()),
                k,
                plus,
                total,
                aux,
                work,
                ids,
            )
            return top
        # Each term's tiers rank as separate lists (a passage is in one of them). Bounds and
        # offsets are read once as Python numbers: numpy scalar indexing costs ~100 ns each.
        # (-bound, slot, lo, hi, weight): a posting adds its quantised score times weight.
        lists: list[tuple[float, int, int, int, float]] = []
        tiers = self._tiers
        for t, n in counts.items():
            peak = self._max[tiers * t : tiers * (t + 1)].tolist()
            for j, (lo, hi, unit) in enumerate(self._spans(t)):
                if hi > lo:
                    lists.append((-peak[j] * n, tiers * t + j, lo, hi, unit * n))
        # Highest possible contribution first: rare terms decide the candidates.
        lists.sort()
        order = [(lo, hi, n) for _, _, lo, hi, n in lists]
        bounds = [-b for b, *_ in lists]
        rest = [math.fsum(bounds[i:]) for i in range(len(order))] + [0.0]
        # Pruning needs partial sums that only grow. Okapi's floored IDF can be negative
        # (when the mean IDF is): then every passage holding a term is scored in full.
        prune = min(bounds) >= 0
        return self._top_numpy(order, bounds, rest, k, prune, plus)

    def _top_numpy(
        self,
        order: list[tuple[int, int, float]],
        bounds: list[float],
        rest: list[float],
        k: int,
        prune: bool,
        plus: float,
    ) -> list[tuple[int, float]]:
        """MaxScore over the lists (lo, hi, weight), highest bound first; index/_maxscore.c
        is the same algorithm, compiled, and must add in the same order."""
        # Term at a time into a dense accumulator, highest bound first. theta is a lower
        # bound on the final k-th best score: the k-th best partial sum among the passages
        # of the term just added (partial sums only grow). Once theta beats what all the
        # remaining terms together could add, a passage not yet seen cannot make the top k.
        total, aux = self._scratch()
        gathered, product = self._list_scratch()
        touched: list[Array] = []
        try:
            theta, done = -math.inf, 0.0
            i = 0
            while i < len(order) and not theta > rest[i] * _SLACK:
                lo, hi, weight = order[i]
                ids = self._doc[lo:hi]
                # total[ids] += scores * weight, in kept buffers: a fresh temporary of a
                # long list costs more in page faults than the arithmetic.
                part, scaled = gathered[: hi - lo], product[: hi - lo]
                np.take(total, ids, out=part)
                np.multiply(self._score[lo:hi], weight, out=scaled)
                np.add(part, scaled, out=part)
                total[ids] = part
                touched.append(ids)
                done += bounds[i]
                i += 1
                # No partial sum exceeds `done`: look for a better theta only if it could stop.
                if prune and ids.size >= k and done > rest[i] * _SLACK:
                    theta = max(theta, float(np.partition(part, part.size - k)[part.size - k]))
            # Candidates: passages seen so far that can still reach theta with what the
            # remaining terms could add. Found through the postings read, never a full scan.
            floor = theta - rest[i] * _SLACK
            kept = [ids[total[ids] >= floor] for ids in touched]
            cand = np.sort(np.concatenate(kept)) if len(kept) > 1 else kept[0]
            if len(kept) > 1:
                cand = cand[np.concatenate(([True], cand[1:] != cand[:-1]))]
            acc = total[cand]
            # The remaining lists, largest bound first, looked up for the candidates only.
            # After each, theta rises to the k-th best exact partial sum and candidates that
            # can no longer reach it drop out, so the long lists are searched for few.
            for j in range(i, len(order)):
                lo, hi, weight = order[j]
                found = scores_of(cand, self._doc[lo:hi], self._score[lo:hi], aux)
                acc += found * weight
                if prune and cand.size > k and j + 1 < len(order):
                    theta = max(theta, float(np.partition(acc, acc.size - k)[acc.size - k]))
                    keep = acc >= theta - rest[j + 1] * _SLACK
                    cand, acc = cand[keep], acc[keep]
        finally:
            for ids in touched:
                total[ids] = 0.0
        if plus:
            acc = acc + plus
        return best_of(cand, acc, k)

    def _kernel_scratch(self) -> tuple[Array, Array]:
        """The compiled top-k's own scratch, kept per thread: 2n floats and n passage
        ids. np.empty maps pages only as a query first writes them."""
        buffers: tuple[Array, Array] | None = getattr(self._local, "kernel", None)
        if buffers is None:
            buffers = (np.empty(2 * self.size), np.empty(self.size, dtype=np.int32))
            self._local.kernel = buffers
        return buffers

    def _list_scratch(self) -> tuple[Array, Array]:
        """Two float64 buffers as long as the longest postings list, kept per thread."""
        buffers: tuple[Array, Array] | None = getattr(self._local, "lists", None)
        if buffers is None:
            longest = int(np.diff(self._ptr).max()) if len(self._ptr) > 1 else 0
            buffers = (np.zeros(longest), np.zeros(longest))
            self._local.lists = buffers
        return buffers

    def _scratch(self) -> tuple[Array, Array]:
        """Two zeroed float64 buffers of one slot per passage, kept per thread.

        A fresh np.zeros of a million slots costs milliseconds of page faults; a
        query puts back the zeros it overwrote instead.
        """
        buffers: tuple[Array, Array] | None = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = (np.zeros(self.size), np.zeros(self.size))
            self._local.buffers = buffers
        return buffers
