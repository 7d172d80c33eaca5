"""The search every front end shares: a question in, cited passages and a verdict out."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.aliases import Aliases
from index.cite import Citation
from index.english import is_english_word
from index.library import Library
from index.limits import MAX_RESULTS
from index.meaning import MeaningModel, shared_model
from index.query import Concept, parse
from index.question import Question, read_question
from index.sentences import sentence_spans
from index.settings import SearchSettings
from index.tokenize import word_pairs

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


class Searcher:
    """The query pipeline over one library: a question in, cited passages and a verdict out.

    Holds what it learns of its library between questions (context terms, the
    vocabulary for typo fixes, sentence meaning vectors); a new library gets a new
    Searcher.
    """

    def __init__(self, library: Library, settings: SearchSettings | None = None) -> None:
        self.library = library
        self.settings = settings or SearchSettings()
        self._engine = library.engine
        self._aliases = Aliases(library.alias_groups)
        self._context: dict[str, set[str]] = {}
        self._vocabulary: list[str] | None = None
        # Sentence meaning vectors by passage (dict operations are atomic across threads).
        self._vectors: dict[int, npt.NDArray[np.float32]] = {}

    def _context_of(self, brief_id: str) -> set[str]:
        """Terms of a brief's title and standfirst (on first use: a library may hold 100k)."""
        terms = self._context.get(brief_id)
        if terms is None:
            brief = self.library.briefs[brief_id]
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

    def concepts(self, question: str | Question) -> list[Concept]:
        """What `question` asks about, with aliases and typo corrections applied."""
        if isinstance(question, str):
            question = read_question(question)
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
        context = self._context_of(self.library.passages[i].brief)
        found = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            if concept.found_in(terms):
                found += weight
            elif concept.found_in(context):
                found += weight * CONTEXT_WEIGHT
        return found / sum(weights) if sum(weights) else 0.0

    def _idf(self, term: str) -> float:
        # The BM25L/Robertson-style IDF; always positive, highest for unseen terms.
        n = len(self.library.passages)
        return math.log((n + 1) / (self._engine.document_frequency(term) + 0.5))

    def search(self, text: str, k: int | None = None) -> Answer:
        """The best `k` passages (default: settings.top_k) for the question `text`;
        BadQuestion when there is nothing to search.

        BM25 over the question's terms (aliases and typo fixes included) finds the
        candidates; they are re-ranked by how much of the question they cover.
        """
        question = read_question(text)
        concepts = self.concepts(question)
        weights = [self._weight(c) for c in concepts]
        terms = list(dict.fromkeys(t for c in concepts for t in c.terms()))
        k = max(1, min(self.settings.top_k if k is None else k, MAX_RESULTS))
        candidates = [i for i, _ in self._engine.top(terms, max(k, RERANK_DEPTH))]
        scores = self._concept_scores(concepts, candidates)
        present = dict(zip(candidates, self._present(terms, candidates), strict=True))
        scored = [
            (self._coverage(i, present[i], concepts, weights), score, i)
            for i, score in zip(candidates, scores, strict=True)
        ]
        scored.sort(key=lambda item: (-_rerank(item[0], item[1]), item[2]))
        passages = self.library.passages
        pairs = question.pairs
        if pairs:
            # Phrases reorder the leading candidates only: pairs cost a pass over the text.
            phrase = {
                i: len(pairs & word_pairs(passages[i].text)) / len(pairs)
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
            similarity = self._closest_in_meaning(text, [i for _, _, i in scored])
            answered = similarity is not None and similarity >= self.settings.min_similarity
        term_weights = {t: w for c, w in zip(concepts, weights, strict=True) for t in c.terms()}
        hits = tuple(
            Hit(
                passage_id=passages[i].id,
                text=passages[i].text,
                score=round(score, 4),
                citation=self.library.citation(passages[i]),
                coverage=round(coverage, 4),
                matched=_matched(concepts, present[i]),
                sentence=_best_sentence(passages[i].text, term_weights, self._terms_of),
            )
            for coverage, score, i in scored[:k]
        )
        return Answer(question=text, hits=hits, answered=answered, similarity=similarity)

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
            text = self.library.passages[i].text
            vectors = model.embed([text[start:end] for start, end in sentence_spans(text)])
            if len(self._vectors) >= VECTOR_CACHE:
                self._vectors.clear()
            self._vectors[i] = vectors
        return vectors


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
