"""The numpy engine's arrays, built: a forward index of token ids, then postings scored
with exactly rank-bm25's formulas (BM25L included, raw-tf factor and all), split in two
tiers per term and quantised to 16 bits of each tier's largest score (ARRAY_NAMES in
engine_numpy.py lists what they are); on a refresh, merged from the previous arrays.

The hot loops (counting postings, scoring them) run in index/_postings.c where it was
compiled, with the numpy paths here as the fallback and the reference: the same arrays,
bit for bit (tests compare the two).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from index.aliases import GROUP_PREFIX
from index.errors import EmptyCorpus
from index.settings import IndexSettings

_postings: ModuleType | None
try:  # the compiled postings build (setup.py); without it, the same arrays from numpy
    import index._postings as _postings  # not `from index import`: no import of the package
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _postings = None

if TYPE_CHECKING:
    import numpy.typing as npt

    Array = npt.NDArray[Any]
else:
    # numpy.typing costs ~40 ms to import: too much for `briefbot ask`'s start-up.
    Array = np.ndarray

# Quantisation levels: a tier's largest magnitude is stored as LEVELS.
LEVELS = 65535
_TF_CAP = 255
# Tier edges: a posting scoring above EDGES[j] times its term's mean goes to a tier <= j.
_EDGES = (1.25,)


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


def word_counts(doc_ptr: Array, doc_terms: Array, terms: Array) -> Array:
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
    words = word_counts(forward["doc_ptr"], forward["doc_terms"], forward["terms"])
    return score_triples(triples(forward), words, vocab, settings)


def stored_triples(arrays: Mapping[str, Array], tiers: int) -> Triples:
    """An engine's postings (`arrays`, `tiers` lists a term) as (term, passage, count),
    sorted by term then passage."""
    ptr, doc = arrays["post_ptr"], arrays["post_doc"]
    sizes = np.diff(ptr)
    slot = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    term = (slot // tiers).astype(np.int32)
    del slot
    counts = arrays["post_tf"].astype(np.int32)
    counts[arrays["tf_over_at"]] = arrays["tf_over"]
    order = np.argsort(term.astype(np.int64) * len(arrays["doc_words"]) + doc)
    return term[order], doc[order].astype(np.int32), counts[order]


def merged_postings(
    previous: Mapping[str, Array],
    tiers: int,
    origin: Sequence[int],
    new: Mapping[str, Array],
    settings: IndexSettings,
) -> dict[str, Array]:
    """The engine's arrays after a refresh: passage i is the previous engine's (`previous`,
    `tiers` lists a term) origin[i], or (origin -1) the next one of `new`. The kept passages'
    postings are reused (their counts are stored), never tokenised again."""
    previous_terms, previous_words = previous["terms"], previous["doc_words"]
    terms = np.union1d(previous_terms, new["terms"])
    old_map = np.searchsorted(terms, previous_terms).astype(np.int32)
    new_map = np.searchsorted(terms, new["terms"]).astype(np.int32)
    src = np.asarray(origin, dtype=np.int64)
    is_old = src >= 0
    place = np.full(len(previous_words), -1, dtype=np.int64)  # old passage -> its new position
    place[src[is_old]] = np.flatnonzero(is_old)
    fresh = np.flatnonzero(~is_old)
    o_term, o_doc, o_tf = stored_triples(previous, tiers)
    kept = place[o_doc] >= 0
    n_term, n_doc, n_tf = triples(new)
    term = np.concatenate((old_map[o_term[kept]], new_map[n_term]))
    doc = np.concatenate((place[o_doc[kept]], fresh[n_doc]))
    counts = np.concatenate((o_tf[kept], n_tf))
    del o_term, o_doc, o_tf, n_term, n_doc, n_tf
    words = np.empty(len(src), dtype=np.int64)
    words[is_old] = previous_words[src[is_old]]
    words[fresh] = word_counts(new["doc_ptr"], new["doc_terms"], new["terms"])
    # Drop the terms only removed passages had, so the vocabulary stays exact.
    used = np.bincount(term, minlength=len(terms)) > 0
    renumber = (np.cumsum(used) - 1).astype(np.int32)
    term = renumber[term]
    order = np.argsort(term.astype(np.int64) * len(src) + doc)
    postings = (term[order], doc[order].astype(np.int32), counts[order])
    scored = score_triples(postings, words, int(used.sum()), settings)
    return {"terms": terms[used], **scored}


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
