"""Ranking by words: BM25 over a question's concepts (aliases and typo fixes included),
re-ranked by how much of the question each candidate covers, then by shared phrases."""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NamedTuple

from index.aliases import Aliases
from index.contexts import TokenisedContexts
from index.kept import Kept
from index.library import Library
from index.query import Concept, parse
from index.question import Question
from index.records import quick_init
from index.rounding import rounded
from index.sentences import sentence_spans
from index.tokenize import lacks_pairs, pair_needs, pairs_held

_concepts: ModuleType | None
try:  # the compiled concept scores (setup.py); without it, the same numbers in Python
    import index._concepts as _concepts
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _concepts = None

# A question term found only in a brief's title or standfirst counts this much
# towards covering it in each passage of that brief.
CONTEXT_WEIGHT = 0.3
# A passage holding all of the question's adjacent word pairs scores this much more
# (a half of them, half as much): phrases the student quotes, stopwords included.
PHRASE_WEIGHT = 0.5
# Leading candidates (after coverage re-ranking) that phrases may reorder.
PHRASE_DEPTH = 10
# Sentences whose terms are kept: the best sentence of a shown passage is chosen by its
# sentences' terms, and a study server's questions show the same passages again.
SENTENCES_KEPT = 4096
# Document frequencies kept (a few MB at most: terms asked of this library's engine).
DF_KEPT = 65536


class Scored(NamedTuple):
    """One candidate by words: coverage of the question, BM25 score, passage position,
    which of the question's terms it holds (asked of the engine once) and whether it holds
    each concept (one of its phrases wholly; in the concepts' order). A named tuple: a
    search makes thirty, each 0.4 us against a frozen dataclass's 1.0 us."""

    coverage: float
    score: float
    passage: int
    held: frozenset[str] = frozenset()
    concepts: tuple[bool, ...] = ()


# A Scored from its five fields in order, made by tuple.__new__ without the Python-level
# __new__ a named tuple has (thirty a search: 0.3 us each).
_made_scored: Callable[[tuple[float, float, int, frozenset[str], tuple[bool, ...]]], Scored]
_made_scored = functools.partial(tuple.__new__, Scored)


@quick_init
@dataclass(frozen=True)
class WordRanking:
    """What the words of a question found: its concepts and weights, candidates best first."""

    concepts: list[Concept]
    weights: list[float]
    terms: list[str]
    ranked: list[Scored]

    @functools.cached_property
    def concept_words(self) -> list[tuple[str, ...]]:
        """Each concept's words as typed, in order (asked for each hit's matched words)."""
        return [c.words for c in self.concepts]

    def term_weights(self) -> dict[str, float]:
        """Each query term's weight (its concept's), for choosing the best sentence."""
        return {t: w for c, w in zip(self.concepts, self.weights, strict=True) for t in c.terms()}


class WordRanker:
    """The word half of search over one library (caches its vocabulary and brief contexts)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._engine = library.engine
        self._aliases = Aliases(library.alias_groups)
        self._contexts = library.contexts or TokenisedContexts(library, self.terms_of)
        self._sentences: Kept[str, frozenset[str]] = Kept(SENTENCES_KEPT)
        self._vocabulary: list[str] | None = None
        # A question's terms are asked for two or three times (known? its weight?), and
        # questions repeat words: each asks the engine (and a mapped file's guard) once.
        self._df = functools.lru_cache(maxsize=DF_KEPT)(library.engine.document_frequency)
        self._size = len(library.passages)  # a library's passages do not change

    def rank(
        self, question: Question, depth: int, among: Sequence[int] | None = None
    ) -> WordRanking:
        """The `depth` best candidates holding a question term, best first; with `among`,
        only passages of those positions (one brief's, say) are candidates."""
        concepts = self.concepts(question)
        weights = [self._weight(c) for c in concepts]
        terms = list(dict.fromkeys(t for c in concepts for t in c.terms()))
        found = WordRanking(concepts, weights, terms, [])
        if among is None:
            ranked = self.score(found, list(map(_passage_of_hit, self._engine.top(terms, depth))))
        else:
            ranked = [s for s in self.score(found, among) if s.held]
        ranked = _in_order(ranked)
        if question.pairs:
            # Phrases reorder the leading candidates only: pairs cost a pass over the text.
            needs = pair_needs(question.pairs, terms)
            leading = ranked[:PHRASE_DEPTH]
            texts = self.library.passages.many(passages_of(leading))
            shares = [
                self._phrase_share(question.pairs, needs, s, p.text)
                for s, p in zip(leading, texts, strict=True)
            ]
            ranked[:PHRASE_DEPTH] = _in_order(leading, shares)
        return WordRanking(concepts, weights, terms, ranked[:depth])

    def _phrase_share(
        self,
        pairs: frozenset[tuple[str, str]] | set[tuple[str, str]],
        needs: list[frozenset[str]],
        scored: Scored,
        text: str,
    ) -> float:
        """The share of the question's word pairs the scored passage (`text`) holds: none,
        without reading its words, when it cannot hold one (`needs`: see index/tokenize.py's
        lacks_pairs)."""
        if lacks_pairs(scored.held, needs, text):
            return 0.0
        return pairs_held(text, pairs) / len(pairs)

    def score(self, found: WordRanking, ids: Sequence[int]) -> list[Scored]:
        """Coverage and BM25 score of the passages `ids` for the question of `found`."""
        ids = list(ids)
        # Column by column (a term's over all the candidates): the same values as asking
        # each candidate in turn, with the loops in C.
        columns = self._engine.columns(found.terms, ids)
        scores, held_sets, rows = _combined(found, columns, len(ids))
        coverages = self._coverages(ids, found, rows)
        return list(map(_made_scored, zip(coverages, scores, ids, held_sets, rows, strict=True)))

    def matched(self, found: WordRanking, scored: Scored) -> tuple[str, ...]:
        """The question's words, as typed, whose concept the scored passage holds (as
        scoring found: Concept.found_in of its terms, without asking again)."""
        # Chained and picked in C: 0.45 us, where a loop adding tuples took 0.6.
        held = itertools.compress(found.concept_words, scored.concepts)
        return tuple(itertools.chain.from_iterable(held))

    def terms_of(self, text: str) -> list[str]:
        """Index terms of `text`, alias group terms included, as passages are indexed."""
        return self._aliases.index_terms(text)

    def sentence_terms(self, sentence: str) -> frozenset[str]:
        """The index terms of one sentence of a passage (kept: tokenising each sentence of
        every shown passage was a third of a search on the seed)."""
        terms = self._sentences.get(sentence)
        if terms is None:
            terms = self._sentences.keep(sentence, frozenset(self.terms_of(sentence)))
        return terms

    def vocabulary(self) -> list[str]:
        """Every indexed term, for typo correction (built on first use)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self._engine.vocabulary())
        return self._vocabulary

    def concepts(self, question: Question) -> list[Concept]:
        """What `question` asks about, with aliases and typo corrections applied."""
        return parse(
            question,
            self._aliases,
            lambda term: self._df(term) > 0,
            self.vocabulary,
        )

    def unknown(self, concepts: list[Concept]) -> list[Concept]:
        """The concepts no phrase of which the library holds wholly (unknown to it)."""
        df = self._df
        return [c for c in concepts if not any(all(df(t) > 0 for t in p) for p in c.phrases)]

    def _weight(self, concept: Concept) -> float:
        """A concept's IDF: that of its best-known phrase (mean over the phrase's terms)."""
        best = max(sum(map(self._idf, phrase)) / len(phrase) for phrase in concept.phrases)
        return best * concept.weight_factor

    def present(self, terms: list[str], ids: list[int]) -> list[frozenset[str]]:
        """For each passage of `ids`, which of `terms` it contains (asked of the engine,
        so an array-backed index decodes no passage)."""
        holds = [held for _, held in self._engine.columns(terms, ids)]
        return _held_sets(terms, holds, len(ids))

    def _coverages(
        self, ids: list[int], found: WordRanking, rows: list[tuple[bool, ...]]
    ) -> list[float]:
        """Share of the question's weight found in each passage of `ids` (`rows`: whether
        each passage holds each concept) or, partly, in its brief's title and standfirst.
        Added in the concepts' order, so that ties fall the same way."""
        total = sum(found.weights)
        if not total:
            return [0.0] * len(ids)
        # The briefs' contexts are asked only for the passages lacking a concept.
        # Picked in C, where comprehensions over thirty rows ran in Python.
        lacking = list(itertools.compress(range(len(rows)), map(operator.not_, map(all, rows))))
        in_context = self._in_context(found, list(map(ids.__getitem__, lacking)))
        if _concepts is not None:  # index/_concepts.c: the same sums, in the same order
            compiled: list[float] = _concepts.coverages(
                found.weights, total, rows, lacking, in_context, CONTEXT_WEIGHT
            )
            return compiled
        return _shares(found.weights, total, rows, lacking, in_context)

    def _in_context(self, found: WordRanking, ids: list[int]) -> list[tuple[bool, ...]]:
        """For each passage of `ids`, whether its brief's title and standfirst hold each
        concept (one of its phrases wholly), asked of the library's contexts term by term."""
        if not ids:
            return []
        n = len(ids)
        holds = self._contexts.holds(found.terms, ids)
        if not any(map(any, holds)) and all(all(c.phrases) for c in found.concepts):
            # Most questions name nothing of these briefs' titles: no concept is held.
            return [(False,) * len(found.concepts)] * n
        columns = _concepts_held(found, dict(zip(found.terms, holds, strict=True)), n)
        return list(zip(*columns, strict=True)) if columns else [()] * n

    def _idf(self, term: str) -> float:
        # The BM25L/Robertson-style IDF; always positive, highest for unseen terms.
        return math.log((self._size + 1) / (self._df(term) + 0.5))


def _in_order(ranked: list[Scored], phrases: list[float] | None = None) -> list[Scored]:
    """Candidates best first: by BM25 score scaled by coverage, so a passage answering all
    of the question wins, and by the share of the question's word pairs each holds
    (`phrases`, in ranked's order; none: as if 0); ties by passage order. index/_concepts.c
    when built: the same keys, sorted in C (tests compare the two)."""
    if _concepts is not None:
        ordered: list[Scored] = _concepts.in_order(ranked, phrases, PHRASE_WEIGHT)
        return ordered
    if phrases is None:  # x * (1 + PHRASE_WEIGHT * 0.0) is x: the same keys
        keys = [(-(s.score * (0.5 + s.coverage)), s.passage) for s in ranked]
    else:
        keys = [
            (-(s.score * (0.5 + s.coverage) * (1 + PHRASE_WEIGHT * phrase)), s.passage)
            for s, phrase in zip(ranked, phrases, strict=True)
        ]
    return [ranked[j] for j in sorted(range(len(ranked)), key=keys.__getitem__)]


def passages_of(ranked: Iterable[Scored]) -> list[int]:
    """The passage positions of `ranked`, in its order (mapped in C: a search asks for
    thirty, three or four times)."""
    return list(map(_passage, ranked))


_passage = operator.attrgetter("passage")
# A (passage, score) hit's passage.
_passage_of_hit = operator.itemgetter(0)


def best_by_words(
    text: str, weights: Mapping[str, float], terms_of: Callable[[str], Iterable[str]]
) -> tuple[int, int]:
    """The span of the sentence holding the most question-term weight (first on ties).

    Weights are summed in a fixed order and rounded, so the choice does not
    depend on set order (PYTHONHASHSEED).
    """
    spans = sentence_spans(text)
    if len(spans) == 1:
        return spans[0]  # nothing to choose between: no need to tokenise it
    best, best_weight = (0, len(text)), -1.0
    for start, end in spans:
        found = sorted(set(terms_of(text[start:end])) & weights.keys())
        weight = rounded(sum(weights[t] for t in found), 6)
        if weight > best_weight:
            best, best_weight = (start, end), weight
    return best


def _shares(
    weights: list[float],
    total: float,
    rows: list[tuple[bool, ...]],
    lacking: list[int],
    in_context: list[tuple[bool, ...]],
) -> list[float]:
    """Each candidate's coverage (WordRanker._coverages): 1 for one holding every concept
    (`rows`), else the weight of those it holds and CONTEXT_WEIGHT of those its title holds
    (`in_context`, for each of `lacking`), added in the concepts' order, over `total`."""
    # Every weight, added in the same order as `total`: exactly 1.
    shares = [1.0] * len(rows)
    # Thirty candidates hold a few patterns of concepts: each pattern is added once.
    by_pattern: dict[tuple[tuple[bool, ...], tuple[bool, ...]], float] = {}
    for j, in_title in zip(lacking, in_context, strict=True):
        pattern = (rows[j], in_title)
        share = by_pattern.get(pattern)
        if share is None:
            share = 0.0
            for weight, has, title in zip(weights, rows[j], in_title, strict=True):
                if has:
                    share += weight
                elif title:
                    share += weight * CONTEXT_WEIGHT
            share = by_pattern[pattern] = share / total
        shares[j] = share
    return shares


def _combined(
    found: WordRanking, columns: list[tuple[list[float], list[bool]]], n: int
) -> tuple[list[float], list[frozenset[str]], list[tuple[bool, ...]]]:
    """For each of n candidates, from each term's column (`columns`, engine.columns): its
    score by concept (_concept_scores), the terms it holds (_held_sets) and whether it
    holds each concept (_concepts_held, by candidate). index/_concepts.c when built: the
    same numbers, added in the same order (tests compare the two)."""
    if _concepts is not None:
        number = {t: j for j, t in enumerate(found.terms)}
        combined: tuple[list[float], list[frozenset[str]], list[tuple[bool, ...]]]
        combined = _concepts.combine(
            n,
            found.terms,
            [scores for scores, _ in columns],
            [holds for _, holds in columns],
            [tuple(tuple(map(number.__getitem__, p)) for p in c.phrases) for c in found.concepts],
            [c.weight_factor for c in found.concepts],
        )
        return combined
    holds = [held for _, held in columns]
    concept_held = _concepts_held(found, dict(zip(found.terms, holds, strict=True)), n)
    return (
        _concept_scores(found.concepts, dict(zip(found.terms, columns, strict=True)), n),
        _held_sets(found.terms, holds, n),
        list(zip(*concept_held, strict=True)) if concept_held else [()] * n,
    )


def _concept_scores(
    concepts: list[Concept], by_term: Mapping[str, tuple[list[float], list[bool]]], n: int
) -> list[float]:
    """BM25 per concept, not per term, for n passages (`by_term`: each term's scores and
    holds, engine.columns): a concept scores as its best phrase.

    So an alias group (China, Chinese, Beijing, PRC) weighs as one word,
    not five, and cannot drown the rest of the question.
    """
    totals = [0.0] * n
    for concept in concepts:
        # A phrase's score in each passage: its terms' scores, added in order as sum()
        # adds them; the best phrase's (max() keeps the first of equals).
        phrases = [_sums([by_term[t][0] for t in p], n) for p in concept.phrases]
        best = phrases[0] if len(phrases) == 1 else list(map(max, *phrases))
        factor = concept.weight_factor
        totals = [total + b * factor for total, b in zip(totals, best, strict=True)]
    return totals


def _held_sets(terms: list[str], holds: list[list[bool]], n: int) -> list[frozenset[str]]:
    """For each of n passages, the `terms` it holds (`holds`: a column a term)."""
    rows = zip(*holds, strict=True) if holds else [()] * n
    return [frozenset(itertools.compress(terms, row)) for row in rows]


def _concepts_held(found: WordRanking, holds: Mapping[str, list[bool]], n: int) -> list[list[bool]]:
    """For each of the question's concepts, whether each of n passages holds it (one of
    its phrases wholly), from whether each holds each term (`holds`, by term)."""
    return [
        _any_of([_all_of([holds[t] for t in p], n) for p in c.phrases], n) for c in found.concepts
    ]


def _sums(columns: list[list[float]], n: int) -> list[float]:
    """Each passage's sum of `columns` (scores of a phrase's terms), added as sum() adds."""
    return list(map(sum, zip(*columns, strict=True))) if columns else [0.0] * n


def _all_of(columns: list[list[bool]], n: int) -> list[bool]:
    """Whether each passage holds every column's term (a phrase wholly)."""
    return list(map(all, zip(*columns, strict=True))) if columns else [True] * n


def _any_of(columns: list[list[bool]], n: int) -> list[bool]:
    """Whether each passage holds any column (one of a concept's phrases)."""
    if len(columns) == 1:
        return columns[0]
    return list(map(any, zip(*columns, strict=True))) if columns else [False] * n
