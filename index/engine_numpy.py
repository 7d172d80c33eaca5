"""BM25 for large libraries: precomputed scores in numpy arrays, searched with MaxScore pruning.

Each (term, passage) pair's BM25 contribution is computed once at build time with
exactly rank-bm25's formulas (BM25L included, raw-tf factor and all), stored as
float32 in postings sorted by passage, one slice per term (CSR). A query adds up
the slices of its terms; terms whose best possible contribution can no longer
lift a passage into the top k are only looked up for the passages already in
the running (MaxScore), so common words do not cost a full scan.

The arrays can live in memory or be numpy views over a memory-mapped index file
(index/large_store.py), so loading costs no parsing and little memory.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from index.aliases import GROUP_PREFIX
from index.errors import EmptyCorpus
from index.settings import IndexSettings

# The compiled kernels (setup.py); without them, the same results from numpy alone.
_kernel: ModuleType | None
_postings: ModuleType | None
try:
    import index._maxscore as _kernel  # not `from index import`: no import of the package
    import index._postings as _postings
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _kernel = _postings = None

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[Any]
else:
    # numpy.typing costs ~40 ms to import: too much for `briefbot ask`'s start-up.
    Array = np.ndarray

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
# Quantisation levels: a tier's largest magnitude is stored as LEVELS.
LEVELS = 65535
_TF_CAP = 255

# Tier edges: a posting scoring above EDGES[j] times its term's mean goes to a tier <= j.
_EDGES = (1.25,)
# Term ids remembered per engine (a few MiB at most), cleared when full.
_KNOWN = 50_000
# Float sums of the same impacts in another order differ in the last bits: bounds get slack.
_SLACK = 1 + 1e-9


def encode_tokens(tokens: Iterable[Sequence[str]]) -> dict[str, Array]:
    """The vocabulary and forward index (`terms`, `doc_ptr`, `doc_terms`) of token lists."""
    vocab: dict[str, int] = {}
    ids = array("I")  # 4 bytes a token: a million passages make about 90 million
    lengths = array("q", [0])
    for passage in tokens:
        ids.extend([vocab.setdefault(t, len(vocab)) for t in passage])
        lengths.append(len(passage))
    return finish_forward(
        list(vocab), np.frombuffer(ids, dtype=np.uint32), np.frombuffer(lengths, dtype=np.int64)
    )


def term_order(names: list[str]) -> tuple[Array, Array]:
    """The vocabulary sorted by UTF-8 bytes (the `terms` array), and each name's rank in it."""
    encoded = [t.encode("utf-8") for t in names]
    order = sorted(range(len(encoded)), key=encoded.__getitem__)
    rank = np.empty(len(encoded), dtype=np.uint32)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(encoded), dtype=np.uint32)
    width = max(map(len, encoded), default=1)
    return np.array([encoded[i] for i in order], dtype=f"S{width}"), rank


def finish_forward(names: list[str], ids: Array, lengths: Array) -> dict[str, Array]:
    """Renumber terms (ids in first-seen order) by sorted UTF-8 bytes: the forward index."""
    terms, rank = term_order(names)
    return {
        "terms": terms,
        "doc_ptr": np.cumsum(lengths, dtype=np.int64),
        "doc_terms": rank[ids] if ids.size else np.zeros(0, dtype=np.uint32),
    }


def _idf(variant: str, n: int, df: Array) -> Array:
    """rank-bm25 0.2.2's IDF for each term, given document frequencies."""
    dff = df.astype(np.float64)
    if variant == "bm25l":
        return math.log(n + 1) - np.log(dff + 0.5)
    if variant == "bm25plus":
        return np.log((n + 1) / dff)
    idf = np.log(n - dff + 0.5) - np.log(dff + 0.5)
    # BM25Okapi floors negative IDFs at epsilon (0.25) times the mean IDF.
    floor = 0.25 * float(idf.mean()) if idf.size else 0.0
    floored: Array = np.where(idf < 0, floor, idf)
    return floored


def _word_counts(doc_ptr: Array, doc_terms: Array, terms: Array) -> Array:
    """Each passage's length in words: its tokens bar alias group terms (aliases.py)."""
    lengths: Array = np.diff(doc_ptr)
    group = np.flatnonzero(np.char.startswith(terms, GROUP_PREFIX.encode()))
    if not group.size:
        return lengths
    at = np.flatnonzero(np.isin(doc_terms, group))
    owner = np.searchsorted(doc_ptr, at, side="right") - 1
    counts: Array = lengths - np.bincount(owner, minlength=len(lengths))
    return counts


Triples = tuple[Array, Array, Array]  # (term, passage, count) per posting, by term then passage


def triples(forward: Mapping[str, Array]) -> Triples:
    """A forward index's postings as (term, passage, count), sorted by term then passage."""
    doc_ptr, doc_terms = forward["doc_ptr"], forward["doc_terms"]
    if _postings is None:
        return _triples_numpy(doc_ptr, doc_terms)
    ptr = np.ascontiguousarray(doc_ptr, dtype=np.int64)
    ids = np.ascontiguousarray(doc_terms, dtype=np.uint32)
    df = np.empty(len(forward["terms"]), dtype=np.int64)
    size = _postings.count(ptr, ids, df)
    term, doc, counts = (np.empty(size, dtype=np.int32) for _ in range(3))
    _postings.fill(ptr, ids, df, term, doc, counts)
    return term, doc, counts


def _triples_numpy(doc_ptr: Array, doc_terms: Array) -> Triples:
    """triples() where index/_postings.c was not compiled: the same arrays, by sorting."""
    n = len(doc_ptr) - 1
    # One in-place sort groups postings by term, then passage; run lengths are the counts.
    # (np.unique would sort a copy, and copy again for its counts: at a million passages
    # each array is ~90M entries.)
    keys = doc_terms.astype(np.int64)
    keys *= n
    keys += np.repeat(np.arange(n, dtype=np.int64), np.diff(doc_ptr))
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, keys.size)).astype(np.int32)
    keys = keys[starts]
    del starts
    return (keys // n).astype(np.int32), (keys % n).astype(np.int32), counts


def score_postings(forward: Mapping[str, Array], settings: IndexSettings) -> dict[str, Array]:
    """The postings arrays (`post_*`, `max_score`...) for a forward index, scored per `settings`."""
    n, vocab = len(forward["doc_ptr"]) - 1, len(forward["terms"])
    if n <= 0:
        raise EmptyCorpus()
    words = _word_counts(forward["doc_ptr"], forward["doc_terms"], forward["terms"])
    return score_triples(triples(forward), words, vocab, settings)


def _bm25(tf: Array, words: Array, doc: Array, settings: IndexSettings) -> Array:
    """rank-bm25's per-posting term-frequency factor (before the IDF)."""
    avgdl = float(words.sum()) / len(words)
    k1, b, delta = settings.k1, settings.b, settings.delta
    norm = (1 - b + b * words / avgdl)[doc] if avgdl else np.ones(len(doc))
    if settings.variant == "bm25l":
        norm = tf / norm  # ctd
        # rank-bm25 0.2.2 multiplies BM25L by the raw tf; kept for parity (README).
        score: Array = (k1 + 1) * (norm + delta) / (k1 + norm + delta)
        score *= tf
        return score
    if settings.variant == "bm25plus":
        # The idf * delta that BM25+ gives every candidate for every query term is
        # added at query time (NumpyEngine.top): it does not depend on the passage.
        plus: Array = tf * (k1 + 1) / (k1 * norm + tf)
        return plus
    okapi: Array = tf * (k1 + 1) / (tf + k1 * norm)
    return okapi


def score_triples(
    postings: Triples, words: Array, vocab: int, settings: IndexSettings
) -> dict[str, Array]:
    """The engine's postings arrays from (term, passage, count) triples and passage lengths."""
    term = postings[0]
    n = len(words)
    if n <= 0:
        raise EmptyCorpus()
    df = np.bincount(term, minlength=vocab)
    idf = _idf(settings.variant, n, df)
    # Tiers per term: postings above 1.25x the term's mean score (mostly tf >= 2), then
    # the rest. The low tier's bound is then close to a typical score, not the rare peak
    # (rank-bm25's BM25L grows with raw tf), so MaxScore can skip common words' long tails.
    # Quantised to 16 bits of each tier's largest magnitude (a term's scores share the
    # sign of its IDF): an error of at most 1/131070 of it, where float32 kept 1/16.7M;
    # half the bytes a posting. q * post_unit[tier] is the score the engine adds.
    if _postings is not None and len(_EDGES) == 1:
        scored = _score_compiled(postings, words, idf, settings)
    else:
        scored = _score_numpy(postings, words, df, idf, settings)
    counts = scored.pop("counts")
    over = np.flatnonzero(counts >= _TF_CAP)
    return {
        **scored,
        "post_tf": np.minimum(counts, _TF_CAP).astype(np.uint8),
        "tf_over_at": over.astype(np.int64),
        "tf_over": counts[over].astype(np.int32),
        "doc_words": words.astype(np.int32),
    }


_VARIANT_CODES = {"okapi": 0, "bm25l": 1, "bm25plus": 2}  # as index/_postings.c numbers them


def _score_compiled(
    postings: Triples, words: Array, idf: Array, settings: IndexSettings
) -> dict[str, Array]:
    """_score_numpy's arrays by index/_postings.c: the same to the last bit, in one pass."""
    assert _postings is not None
    term, doc, counts = (np.ascontiguousarray(a, dtype=np.int32) for a in postings)
    slots, size = 2 * len(idf), len(term)
    out: dict[str, Array] = {
        "post_ptr": np.empty(slots + 1, dtype=np.int64),
        "post_doc": np.empty(size, dtype=np.int32),
        "counts": np.empty(size, dtype=np.int32),
        "post_score": np.empty(size, dtype=np.uint16),
        "post_unit": np.empty(slots, dtype=np.float64),
        "max_score": np.empty(slots, dtype=np.float64),
    }
    avgdl = float(words.sum()) / len(words)
    _postings.score(
        term,
        doc,
        counts,
        np.ascontiguousarray(words, dtype=np.int64),
        np.ascontiguousarray(idf, dtype=np.float64),
        _VARIANT_CODES[settings.variant],
        settings.k1,
        settings.b,
        settings.delta,
        avgdl,
        _EDGES[0],
        float(LEVELS),
        *out.values(),
    )
    return out


def _score_numpy(
    postings: Triples, words: Array, df: Array, idf: Array, settings: IndexSettings
) -> dict[str, Array]:
    """Each posting's score, tier and quantum, by numpy (see score_triples)."""
    term, doc, counts = postings
    vocab = len(idf)
    tf = counts.astype(np.float64)
    score = _bm25(tf, words, doc, settings)
    del tf
    score *= idf[term]
    tiers = len(_EDGES) + 1
    mean = np.bincount(term, weights=score, minlength=vocab) / np.maximum(df, 1)
    level = score / mean[term]
    slot = tiers * term.astype(np.int64)
    for edge in _EDGES:
        slot += level <= edge
    del level
    order = np.argsort(slot, kind="stable")  # already sorted by term: a cheap merge
    slot, doc, score, counts = slot[order], doc[order], score[order], counts[order]
    del order
    sizes = np.bincount(slot, minlength=tiers * vocab)
    post_ptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    starts = post_ptr[:-1][sizes > 0]
    unit = np.zeros(tiers * vocab, dtype=np.float64)
    max_score = np.zeros(tiers * vocab, dtype=np.float64)
    quantised = np.zeros(score.size, dtype=np.uint16)
    if score.size:
        low = np.minimum.reduceat(score, starts)
        high = np.maximum.reduceat(score, starts)
        unit[sizes > 0] = np.where(-low > high, low, high) / LEVELS
        score /= np.where(unit == 0, 1.0, unit)[slot]
        quantised = np.rint(score).astype(np.uint16)
        max_score[sizes > 0] = np.maximum.reduceat(quantised * unit[slot], starts)
    return {
        "post_ptr": post_ptr,
        "post_doc": doc,
        "counts": counts,
        "post_score": quantised,
        "post_unit": unit,
        "max_score": max_score,
    }


# A list is scattered into a dense buffer when it holds fewer than this many postings a
# candidate; sparser lists are binary-searched for the candidates instead. Measured over
# 1,000 queries in-process: 2 against 8 (before), p50 0.97 vs 1.03 ms at 10^6 passages
# (two scatters of a long list cost more than searching it), 0.212 vs 0.209 ms at 10^5.
_DENSE_LOOKUP = 2


class NumpyEngine:
    """Ranks passages from precomputed BM25 postings; same interface as RankBM25Engine."""

    def __init__(self, arrays: Mapping[str, Array], settings: IndexSettings) -> None:
        missing = [name for name in ARRAY_NAMES if name not in arrays]
        if missing:
            raise ValueError(f"engine arrays missing: {', '.join(missing)}")
        self.arrays = dict(arrays)
        self._terms = arrays["terms"]
        self._ptr = arrays["post_ptr"]
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
        # The compiled top-k reads postings as int32 / uint16 in one piece (a mapped file's
        # arrays are); other layouts fall back to numpy.
        self.compiled = (
            self._doc.dtype == np.int32
            and self._score.dtype == np.uint16
            and self._doc.flags.c_contiguous
            and self._score.flags.c_contiguous
        )
        self._known: dict[str, int | None] = {}

    @classmethod
    def from_tokens(cls, tokens: Iterable[Sequence[str]], settings: IndexSettings) -> NumpyEngine:
        """Build the engine from each passage's tokens."""
        return cls.from_forward(encode_tokens(tokens), settings)

    @classmethod
    def from_forward(cls, forward: Mapping[str, Array], settings: IndexSettings) -> NumpyEngine:
        """Build the engine from a forward index (encode_tokens, encode.encode_texts); the
        forward index stays in memory for `tokens`, but is not saved."""
        return cls({**forward, **score_postings(forward, settings)}, settings)

    def postings(self) -> Triples:
        """Every posting as (term, passage, count), sorted by term then passage."""
        sizes = np.diff(self._ptr)
        slot = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        term = (slot // self._tiers).astype(np.int32)
        del slot
        counts = self.arrays["post_tf"].astype(np.int32)
        counts[self.arrays["tf_over_at"]] = self.arrays["tf_over"]
        order = np.argsort(term.astype(np.int64) * self.size + self._doc)
        return term[order], self._doc[order].astype(np.int32), counts[order]

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
        terms = np.union1d(previous._terms, new["terms"])
        old_map = np.searchsorted(terms, previous._terms).astype(np.int32)
        new_map = np.searchsorted(terms, new["terms"]).astype(np.int32)
        src = np.asarray(origin, dtype=np.int64)
        is_old = src >= 0
        place = np.full(previous.size, -1, dtype=np.int64)  # old passage -> its new position
        place[src[is_old]] = np.flatnonzero(is_old)
        fresh = np.flatnonzero(~is_old)
        o_term, o_doc, o_tf = previous.postings()
        kept = place[o_doc] >= 0
        n_term, n_doc, n_tf = triples(new)
        term = np.concatenate((old_map[o_term[kept]], new_map[n_term]))
        doc = np.concatenate((place[o_doc[kept]], fresh[n_doc]))
        counts = np.concatenate((o_tf[kept], n_tf))
        del o_term, o_doc, o_tf, n_term, n_doc, n_tf
        words = np.empty(len(src), dtype=np.int64)
        words[is_old] = previous.arrays["doc_words"][src[is_old]]
        words[fresh] = _word_counts(new["doc_ptr"], new["doc_terms"], new["terms"])
        # Drop the terms only removed passages had, so the vocabulary stays exact.
        used = np.bincount(term, minlength=len(terms)) > 0
        renumber = (np.cumsum(used) - 1).astype(np.int32)
        term = renumber[term]
        order = np.argsort(term.astype(np.int64) * len(src) + doc)
        postings = (term[order], doc[order].astype(np.int32), counts[order])
        scored = score_triples(postings, words, int(used.sum()), settings)
        return cls({"terms": terms[used], **scored}, settings)

    def term_id(self, term: str) -> int | None:
        """The id of `term` in the vocabulary, or None when no passage contains it."""
        # Queries repeat words (Zipf): a dict hit costs ~50 ns, a bytewise search ~8 us.
        if term in self._known:
            return self._known[term]
        if len(self._known) >= _KNOWN:
            self._known.clear()
        found = self._known[term] = self._find(term)
        return found

    def _find(self, term: str) -> int | None:
        key = term.encode("utf-8")
        if not self._terms.size or len(key) > self._terms.dtype.itemsize or not key:
            return None
        i = int(np.searchsorted(self._terms, key))
        return i if i < self._terms.size and self._terms[i] == key else None

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term`."""
        i = self.term_id(term)
        return 0 if i is None else self._df(i)

    def _df(self, t: int) -> int:
        return int(self._ptr[self._tiers * (t + 1)] - self._ptr[self._tiers * t])

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

    def holds(self, term: str, ids: Sequence[int]) -> list[bool]:
        """Whether each passage of `ids` contains `term`."""
        t = self.term_id(term)
        if t is None or not ids:
            return [False] * len(ids)
        cand = np.asarray(ids, dtype=np.int64)
        found = np.zeros(cand.size, dtype=bool)
        for tier in self._slots(t):
            docs, _, _ = self._postings(tier)
            if docs.size:
                pos = np.minimum(np.searchsorted(docs, cand), docs.size - 1)
                found |= docs[pos] == cand
        result: list[bool] = found.tolist()
        return result

    def term_scores(self, term: str, ids: Sequence[int]) -> list[float]:
        """The BM25 score of `term` alone in each passage of `ids`; 0 where it is absent."""
        t = self.term_id(term)
        if t is None or not ids:
            return [0.0] * len(ids)
        cand = np.asarray(ids, dtype=np.int64)
        _, aux = self._scratch()
        found = np.zeros(cand.size)
        for tier in self._slots(t):
            docs, scores, unit = self._postings(tier)
            found += self._lookup(cand, docs, scores, aux) * unit
        if self._plus:
            # BM25+'s idf * delta, for the passages that hold the term (their score is > 0).
            df = self._df(t)
            found[found > 0] += self._plus * math.log((self.size + 1) / df)
        result: list[float] = found.tolist()
        return result

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
        # Each term's tiers rank as separate lists (a passage is in one of them). Bounds and
        # offsets are read once as Python numbers: numpy scalar indexing costs ~100 ns each.
        # (-bound, slot, lo, hi, weight): a posting adds its quantised score times weight.
        lists: list[tuple[float, int, int, int, float]] = []
        tiers = self._tiers
        for t, n in counts.items():
            ptr = self._ptr[tiers * t : tiers * (t + 1) + 1].tolist()
            peak = self._max[tiers * t : tiers * (t + 1)].tolist()
            unit = self._unit[tiers * t : tiers * (t + 1)].tolist()
            for j in range(tiers):
                if ptr[j + 1] > ptr[j]:
                    lists.append((-peak[j] * n, tiers * t + j, ptr[j], ptr[j + 1], unit[j] * n))
        # Highest possible contribution first: rare terms decide the candidates.
        lists.sort()
        order = [(lo, hi, n) for _, _, lo, hi, n in lists]
        bounds = [-b for b, *_ in lists]
        rest = [math.fsum(bounds[i:]) for i in range(len(order))] + [0.0]
        # Pruning needs partial sums that only grow. Okapi's floored IDF can be negative
        # (when the mean IDF is): then every passage holding a term is scored in full.
        prune = min(bounds) >= 0
        plus = 0.0
        if self._plus:
            # rank-bm25's BM25+ adds idf * delta for each query term, present or not.
            df = np.array([self._df(t) for t in counts], dtype=np.float64)
            idf = np.log((self.size + 1) / df)
            plus = self._plus * float(np.dot(idf, list(counts.values())))
        if _kernel is not None and self.compiled:
            total, aux = self._scratch()
            work, ids = self._kernel_scratch()
            spans = [(lo, hi, n, b) for (lo, hi, n), b in zip(order, bounds, strict=True)]
            top: list[tuple[int, float]] = _kernel.top(
                self._doc, self._score, spans, rest, k, prune, plus, total, aux, work, ids
            )
            return top
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
                found = self._lookup(cand, self._doc[lo:hi], self._score[lo:hi], aux)
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
        return self._best(cand, acc, k)

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

    @staticmethod
    def _lookup(cand: Array, ids: Array, scores: Array, aux: Array) -> Array:
        """Each candidate's score in one term's postings (0 where absent)."""
        if not cand.size or not ids.size:
            return np.zeros(cand.size, dtype=np.float64)
        if cand.size * _DENSE_LOOKUP > ids.size:
            aux[ids] = scores
            found: Array = aux[cand]
            aux[ids] = 0.0
            return found
        pos = np.minimum(np.searchsorted(ids, cand), ids.size - 1)
        return np.where(ids[pos] == cand, scores[pos].astype(np.float64), 0.0)

    @staticmethod
    def _best(cand: Array, acc: Array, k: int) -> list[tuple[int, float]]:
        """The k best candidates by score, then passage order."""
        if cand.size > k:
            theta = np.partition(acc, cand.size - k)[cand.size - k]
            keep = acc >= theta  # every tie at the k-th score, so order decides among them
            cand, acc = cand[keep], acc[keep]
        order = np.lexsort((cand, -acc))[:k]
        return [(int(cand[j]), float(acc[j])) for j in order]
