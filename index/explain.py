"""Why a passage answered a question: the numbers the search ranked it by, not a story.

For each passage asked about: each question concept's BM25 contribution and how it
matched (as typed, another form of the word, an alias, a typo correction), the share of
the question it covers, its closest sentence's cosine, and its place in the word ranking,
the meaning ranking and their reciprocal-rank fusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from index.aliases import GROUP_PREFIX
from index.query import Concept
from index.search import FUSION_K, Searcher, Trace
from index.sentences import sentence_spans
from index.tokenize import stem

How = Literal["typed", "word_form", "alias", "typo", "compound"]


@dataclass(frozen=True)
class TermPart:
    """One concept of the question in one passage.

    words: as the user typed them. terms: the index terms searched for them.
    how: typed, word_form (stemmed to another form), alias, typo (corrected) or compound.
    weight: the concept's IDF weight (its share of the question). bm25: its BM25
    contribution to this passage's score. found: the passage holds one of its phrases.
    """

    words: tuple[str, ...]
    terms: tuple[str, ...]
    how: How
    weight: float
    bm25: float
    found: bool


@dataclass(frozen=True)
class PassageWhy:
    """The numbers behind one passage's place in an answer (ranks are 1-based; None: not
    in that ranking)."""

    passage_id: str
    terms: tuple[TermPart, ...]
    bm25: float
    coverage: float
    similarity: float | None
    sentence: str | None
    words_rank: int | None
    meaning_rank: int | None
    fused_rank: int | None
    rrf: float | None


@dataclass(frozen=True)
class Explanation:
    """Why each passage asked about stands where it does for `question`."""

    question: str
    ranking: str
    fusion_k: int
    passages: tuple[PassageWhy, ...]


def how_matched(concept: Concept) -> How:
    """How the question's words became the concept's index terms."""
    terms = concept.terms()
    if any(t.startswith(GROUP_PREFIX) for t in terms):
        return "alias"
    if len(concept.words) > 1:
        return "compound"
    (word,) = concept.words
    if concept.phrases != ((stem(word),),):
        return "typo"
    return "typed" if stem(word) == word else "word_form"


def explain(searcher: Searcher, question: str, passage_ids: Sequence[str]) -> Explanation:
    """The search's numbers for `question` and each of `passage_ids` still in the library."""
    trace = searcher.trace(question)
    positions = [
        i for i in (searcher.library.passages.find(pid) for pid in passage_ids) if i is not None
    ]
    return Explanation(
        question=question,
        ranking=searcher.settings.ranking,
        fusion_k=FUSION_K,
        passages=tuple(_passage(searcher, trace, i) for i in positions),
    )


def _rank(order: Sequence[int], i: int) -> int | None:
    return order.index(i) + 1 if i in order else None


def _passage(searcher: Searcher, trace: Trace, i: int) -> PassageWhy:
    """The numbers for passage position i."""
    found = trace.found
    engine = searcher.library.engine
    (held,) = searcher.words.present(found.terms, [i])
    parts = []
    for concept, weight in zip(found.concepts, found.weights, strict=True):
        terms = concept.terms()
        scores = {t: s[0] for t, (s, _) in zip(terms, engine.columns(terms, [i]), strict=True)}
        best = max(sum(scores[t] for t in phrase) for phrase in concept.phrases)
        parts.append(
            TermPart(
                words=concept.words,
                terms=tuple(dict.fromkeys(concept.terms())),
                how=how_matched(concept),
                weight=round(weight, 4),
                bm25=round(best * concept.weight_factor, 4),
                found=concept.found_in(held),
            )
        )
    (scored,) = searcher.words.score(found, [i])
    similarity, sentence = _closest(searcher, trace, i)
    return PassageWhy(
        passage_id=searcher.library.passages[i].id,
        terms=tuple(parts),
        bm25=round(scored.score, 4),
        coverage=round(scored.coverage, 4),
        similarity=similarity,
        sentence=sentence,
        words_rank=_rank(trace.by_words, i),
        meaning_rank=_rank(trace.by_meaning, i) if trace.close is not None else None,
        fused_rank=_rank(trace.order, i),
        rrf=round(trace.fused[i], 4) if i in trace.fused else None,
    )


def _closest(searcher: Searcher, trace: Trace, i: int) -> tuple[float | None, str | None]:
    """The cosine of passage i's closest sentence to the question, and that sentence."""
    close = trace.close
    if close is None or i not in close.ids:
        return None, None
    j = close.ids.index(i)
    text = searcher.library.passages[i].text
    spans = sentence_spans(text) or [(0, len(text))]
    n = close.sentence[j]
    start, end = spans[n] if n < len(spans) else spans[0]
    return round(float(close.cosines[j]), 4), text[start:end]
