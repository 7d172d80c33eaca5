"""The search every front end shares: a question in, cited passages and a verdict out."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from index.aliases import Aliases
from index.brief import BriefInfo
from index.cite import Citation, locator
from index.engines import Engine, PassageLookup, make_engine
from index.english import is_english_word
from index.meaning import MeaningModel, shared_model
from index.passages import Passage
from index.query import Concept, parse
from index.sentences import sentence_spans
from index.settings import IndexSettings
from index.tokenize import word_pairs

MAX_RESULTS = 10
# Candidates re-ranked by coverage: enough to reach past BM25's near misses.
RERANK_DEPTH = 30
# A question term found only in a brief's title or standfirst counts this much
# towards covering it in each passage of that brief.
CONTEXT_WEIGHT = 0.3
# A passage holding all of the question's adjacent word pairs scores this much more
# (a half of them, half as much): phrases the student quotes, stopwords included.
PHRASE_WEIGHT = 0.5
# Leading candidates (after coverage re-ranking) that phrases may reorder.
PHRASE_DEPTH = 10
# Candidates whose sentences meaning compares with the question (the best by words).
MEANING_DEPTH = 10
# Passages whose sentence vectors are kept (about 6 KiB each for a 6-sentence passage).
VECTOR_CACHE = 4096


@dataclass(frozen=True)
class SourceStamp:
    """What the index remembers of one file in `seeds/`, to notice when it changes."""

    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    """A file in `seeds/` that was not indexed, and why."""

    file: str
    reason: str


@dataclass(frozen=True)
class Hit:
    """One passage that answers a question, with its citation.

    coverage: share of the question's term weight (IDF) found in this passage.
    matched: the question's words found in the passage, as the user typed them.
    sentence: (start, end) in `text` of the sentence that best matches the question.
    """

    passage_id: str
    text: str
    score: float
    citation: Citation
    coverage: float
    matched: tuple[str, ...]
    sentence: tuple[int, int]


@dataclass(frozen=True)
class Answer:
    """The hits for a question, best first; `answered` is False when the brief does not cover it."""

    question: str
    hits: tuple[Hit, ...]
    answered: bool
    # Set when the words of the question fell short and meaning decided: how close it is
    # to the closest sentence of the candidate passages (index/meaning.py).
    similarity: float | None = None


@dataclass
class Index:
    """Passages, their tokens and their briefs, ready to search."""

    settings: IndexSettings
    briefs: Mapping[str, BriefInfo]
    passages: Sequence[Passage]
    tokens: Sequence[list[str]]
    sources: Mapping[str, SourceStamp]
    built_at: str
    skipped: tuple[Skipped, ...] = ()
    alias_groups: list[list[str]] = field(default_factory=list)
    # A ready engine (e.g. mapped from the index file); None builds one from `tokens`.
    engine: Engine | None = field(default=None, repr=False, compare=False)
    _engine: Engine = field(init=False, repr=False)
    _by_id: dict[str, int] = field(init=False, repr=False)
    _aliases: Aliases = field(init=False, repr=False)
    _context: dict[str, set[str]] = field(init=False, repr=False)
    _vocabulary: list[str] | None = field(init=False, repr=False, default=None)
    # Sentence meaning vectors by passage (dict operations are atomic across threads).
    _vectors: dict[int, npt.NDArray[np.float32]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.engine is None:
            self.engine = make_engine(self.tokens, self.settings)
        self._engine = self.engine
        # Array-backed passages find ids themselves; a dict of a million would cost seconds.
        lookup = isinstance(self.passages, PassageLookup)
        self._by_id = {} if lookup else {p.id: i for i, p in enumerate(self.passages)}
        self._aliases = Aliases(self.alias_groups)
        self._context = {}
        self._vectors = {}

    def _context_of(self, brief_id: str) -> set[str]:
        """Terms of a brief's title and standfirst (on first use: a library may hold 100k)."""
        terms = self._context.get(brief_id)
        if terms is None:
            brief = self.briefs[brief_id]
            terms = set(self._terms_of(f"{brief.title}\n{brief.standfirst}"))
            self._context[brief_id] = terms
        return terms

    def _terms_of(self, text: str) -> list[str]:
        """Index terms of `text`, alias group terms included, as passages are indexed."""
        return self._aliases.index_terms(text)

    def vocabulary(self) -> list[str]:
        """Every indexed term, for typo correction (built on first use)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self._engine.vocabulary())
        return self._vocabulary

    def concepts(self, question: str) -> list[Concept]:
        """What `question` asks about, with aliases and typo corrections applied."""
        return parse(
            question,
            self._aliases,
            lambda term: self._engine.document_frequency(term) > 0,
            self.vocabulary,
        )

    def _weight(self, concept: Concept) -> float:
        """A concept's IDF: that of its best-known phrase (mean over the phrase's terms)."""
        best = max(sum(map(self._idf, phrase)) / len(phrase) for phrase in concept.phrases)
        return best * concept.weight_factor

    def _concept_scores(self, concepts: list[Concept], ids: list[int]) -> list[float]:
        """BM25 per concept, not per term: a concept scores as its best phrase.

        So an alias group (China, Chinese, Beijing, PRC) weighs as one word,
        not five, and cannot drown the rest of the question.
        """
        per_term = {t: self._engine.term_scores(t, ids) for c in concepts for t in c.terms()}
        totals = [0.0] * len(ids)
        for concept in concepts:
            for j in range(len(ids)):
                best = max(sum(per_term[t][j] for t in phrase) for phrase in concept.phrases)
                totals[j] += best * concept.weight_factor
        return totals

    def _present(self, terms: list[str], ids: list[int]) -> list[set[str]]:
        """For each passage of `ids`, which of `terms` it contains (asked of the engine,
        so an array-backed index decodes no passage)."""
        present: list[set[str]] = [set() for _ in ids]
        for term in terms:
            for j, held in enumerate(self._engine.holds(term, ids)):
                if held:
                    present[j].add(term)
        return present

    def _coverage(
        self, i: int, terms: set[str], concepts: list[Concept], weights: list[float]
    ) -> float:
        """Share of the question's weight found in passage i (`terms`: the question terms
        it holds) or, partly, in its brief's title and standfirst."""
        context = self._context_of(self.passages[i].brief)
        found = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            if concept.found_in(terms):
                found += weight
            elif concept.found_in(context):
                found += weight * CONTEXT_WEIGHT
        return found / sum(weights) if sum(weights) else 0.0

    def _idf(self, term: str) -> float:
        # The BM25L/Robertson-style IDF; always positive, highest for unseen terms.
        n = len(self.passages)
        return math.log((n + 1) / (self._engine.document_frequency(term) + 0.5))

    def search(self, question: str, k: int = 3) -> Answer:
        """The best `k` passages for `question`; BadQuestion when there is nothing to search.

        BM25 over the question's terms (aliases and typo fixes included) finds the
        candidates; they are re-ranked by how much of the question they cover.
        """
        concepts = self.concepts(question)
        weights = [self._weight(c) for c in concepts]
        terms = list(dict.fromkeys(t for c in concepts for t in c.terms()))
        k = max(1, min(k, MAX_RESULTS))
        candidates = [i for i, _ in self._engine.top(terms, max(k, RERANK_DEPTH))]
        scores = self._concept_scores(concepts, candidates)
        present = dict(zip(candidates, self._present(terms, candidates), strict=True))
        scored = [
            (self._coverage(i, present[i], concepts, weights), score, i)
            for i, score in zip(candidates, scores, strict=True)
        ]
        scored.sort(key=lambda item: (-_rerank(item[0], item[1]), item[2]))
        pairs = word_pairs(question)
        if pairs:
            # Phrases reorder the leading candidates only: pairs cost a pass over the text.
            phrase = {
                i: len(pairs & word_pairs(self.passages[i].text)) / len(pairs)
                for _, _, i in scored[:PHRASE_DEPTH]
            }
            scored[:PHRASE_DEPTH] = sorted(
                scored[:PHRASE_DEPTH],
                key=lambda item: (-_rerank(item[0], item[1], phrase[item[2]]), item[2]),
            )
        answered = bool(scored) and scored[0][0] >= self.settings.min_coverage
        similarity = None
        if scored and not answered:
            # Words fell short; a paraphrase may still be answered. Meaning decides the
            # verdict only: static embeddings find the topic, not the passage (the words'
            # ranking stays, which measured better on tests/qa/seed.yaml).
            similarity = self._closest_in_meaning(question, [i for _, _, i in scored])
            answered = similarity is not None and similarity >= self.settings.min_similarity
        term_weights = {t: w for c, w in zip(concepts, weights, strict=True) for t in c.terms()}
        hits = tuple(
            Hit(
                passage_id=self.passages[i].id,
                text=self.passages[i].text,
                score=round(score, 4),
                citation=self.citation(self.passages[i]),
                coverage=round(coverage, 4),
                matched=_matched(concepts, present[i]),
                sentence=_best_sentence(self.passages[i].text, term_weights, self._terms_of),
            )
            for coverage, score, i in scored[:k]
        )
        return Answer(question=question, hits=hits, answered=answered, similarity=similarity)

    def _closest_in_meaning(self, question: str, candidates: list[int]) -> float | None:
        """How close in meaning `question` is to the closest sentence of the candidate
        passages; None when meaning is off or its model cannot be loaded."""
        if self.settings.min_similarity >= 1.0:
            return None
        model = shared_model()
        if model is None:
            return None
        sentences = np.concatenate(
            [self._sentence_vectors(model, i) for i in candidates[:MEANING_DEPTH]]
        )
        if not len(sentences):
            return None
        return round(float((sentences @ model.embed([question])[0]).max()), 4)

    def _sentence_vectors(self, model: MeaningModel, i: int) -> npt.NDArray[np.float32]:
        """The meaning vectors of passage i's sentences, kept for the next question
        (bounded: the cache starts afresh when full)."""
        vectors = self._vectors.get(i)
        if vectors is None:
            text = self.passages[i].text
            vectors = model.embed([text[start:end] for start, end in sentence_spans(text)])
            if len(self._vectors) >= VECTOR_CACHE:
                self._vectors.clear()
            self._vectors[i] = vectors
        return vectors

    def citation(self, passage: Passage) -> Citation:
        """The citation of `passage`: brief title, `¶n`, brief id and url."""
        return self.cite(passage.brief, passage.paragraph, passage.part)

    def cite(self, brief_id: str, paragraph: int, part: int = 0) -> Citation:
        """The citation of paragraph `paragraph` (or one part of it) of a brief."""
        brief = self.briefs[brief_id]
        return Citation(
            title=brief.title,
            locator=locator(paragraph, part),
            paragraph=paragraph,
            brief=brief.id,
            url=brief.url,
            publisher=brief.publisher,
        )

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id, or None."""
        if isinstance(self.passages, PassageLookup):
            i = self.passages.find(passage_id)
        else:
            i = self._by_id.get(passage_id)
        return None if i is None else self.passages[i]

    def passage_counts(self) -> dict[str, int]:
        """How many passages each brief has (without reading them, for array-backed ones)."""
        if isinstance(self.passages, PassageLookup):
            return {b: len(self.passages.of_brief(b)) for b in self.briefs}
        counts = dict.fromkeys(self.briefs, 0)
        for passage in self.passages:
            counts[passage.brief] += 1
        return counts

    def paragraph(self, brief_id: str, number: int) -> list[Passage]:
        """The passages of paragraph `number` of a brief (more than one when it was split)."""
        if isinstance(self.passages, PassageLookup):
            mine = [self.passages[i] for i in self.passages.of_brief(brief_id)]
            return [p for p in mine if p.paragraph == number]
        return [p for p in self.passages if p.brief == brief_id and p.paragraph == number]


def _rerank(coverage: float, score: float, phrase: float = 0.0) -> float:
    """BM25 score scaled by coverage, so a passage answering all of the question wins,
    and by the share of the question's word pairs it holds."""
    return score * (0.5 + coverage) * (1 + PHRASE_WEIGHT * phrase)


def _matched(concepts: list[Concept], terms: set[str]) -> tuple[str, ...]:
    """The question's words, as typed, whose concept a passage holds."""
    return tuple(w for c in concepts if c.found_in(terms) for w in c.words)


def _best_sentence(
    text: str, weights: Mapping[str, float], terms_of: Callable[[str], list[str]]
) -> tuple[int, int]:
    """The span of the sentence holding the most question-term weight (first on ties).

    Weights are summed in a fixed order and rounded, so the choice does not
    depend on set order (PYTHONHASHSEED).
    """
    best, best_weight = (0, len(text)), -1.0
    for start, end in sentence_spans(text):
        found = sorted(set(terms_of(text[start:end])) & weights.keys())
        weight = round(sum(weights[t] for t in found), 6)
        if weight > best_weight:
            best, best_weight = (start, end), weight
    return best


def warm_up() -> None:
    """Load what search otherwise loads on first need (the meaning model, English word
    frequencies), so a server's first paraphrase does not wait for them."""
    shared_model()
    is_english_word("the")
