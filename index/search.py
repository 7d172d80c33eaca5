"""The search every front end shares: a question in, cited passages and a verdict out.

Two rankings are fused: by words (index/words.py: BM25 over the question's concepts,
re-ranked by coverage and phrases) and by meaning (index/meaning.py: each passage's
closest sentence to the question). Reciprocal-rank fusion keeps either from drowning
the other; ties go to passage order. The verdict needs both: "not covered" only when
the words fall short and meaning is far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from index.about import FACT_BRIEFS, BriefFact, asked_facts, facts_of, names_topic
from index.cite import Citation
from index.english import is_english_word
from index.library import Library
from index.limits import MAX_RESULTS
from index.parts import Part, about_the_part, asked_part, part_passages
from index.query import Concept
from index.question import Question, read_question
from index.records import quick_init
from index.rounding import rounded
from index.sentences import sentence_spans
from index.settings import SearchSettings
from index.words import WordRanker, WordRanking, best_by_words, passages_of

if TYPE_CHECKING:  # the meaning half is loaded with an encoder only
    from index.meaning import Closeness, Meaning
    from index.vectors import Embedder, Floats

# Candidates by words: enough to reach past BM25's near misses.
RERANK_DEPTH = 30
# Reciprocal-rank fusion: a passage scores 1/(FUSION_K + rank) in each ranking. 10, not
# the usual 60: with a few dozen candidates the leading ranks must count.
FUSION_K = 10
# Choosing the sentence to highlight: its cosine plus this times its share of the
# question's term weight (so a sentence naming the asked-for terms wins a near tie).
SENTENCE_WORDS = 0.3

# Words covering less than WORDS_SURE of a question do not answer it alone when its
# closest sentence is below MEANING_FAR: on dev5, off-topic questions sharing a word
# with the brief scored 0.15-0.18; keyword questions that cover all their words
# ("1350 km", 0.21; "santions", 0.10) keep their answer.
MEANING_FAR = 0.2
WORDS_SURE = 0.6

Verdict = Literal["answered", "closest", "not_covered"]


@quick_init
@dataclass(frozen=True)
class Hit:
    """One passage that answers a question, with its citation.

    coverage: share of the question's term weight (IDF) found in this passage.
    matched: the question's words found in the passage, as the user typed them.
    sentence: (start, end) in `text` of the sentence that best matches the question.
    similarity: cosine of that sentence to the question (None without the encoder).
    """

    passage_id: str
    text: str
    score: float
    citation: Citation
    coverage: float
    matched: tuple[str, ...]
    sentence: tuple[int, int]
    similarity: float | None = None


@dataclass(frozen=True)
class Answer:
    """The hits for a question, best first, and the verdict.

    verdict: answered (the words cover it or meaning is close), closest (neither can
    tell: the closest passages, which may not answer it exactly) or not_covered (the
    words fall short and meaning is far). `answered` is verdict == "answered".
    similarity: the closest sentence's cosine to the question (None without the encoder).
    about: what a question about the brief as a document asks of its metadata (its
    title, publisher, ...; index/about.py), with no hits: answered when any is known.
    """

    question: str
    hits: tuple[Hit, ...]
    answered: bool
    similarity: float | None = None
    verdict: Verdict = field(default="not_covered")
    about: tuple[BriefFact, ...] = ()

    def __post_init__(self) -> None:
        if self.answered and self.verdict != "answered":
            object.__setattr__(self, "verdict", "answered")

    def shown(self) -> tuple[Hit, ...]:
        """The hits a front end shows: all, or the closest one for reference when not covered."""
        return self.hits if self.verdict != "not_covered" else self.hits[:1]


class Searcher:
    """The query pipeline over one library: a question in, cited passages and a verdict out.

    Holds what it learns of its library between questions (vocabulary, brief contexts,
    sentence vectors made on demand); a new library gets a new Searcher.
    """

    def __init__(
        self,
        library: Library,
        settings: SearchSettings | None = None,
        encoder: Embedder | None = None,
    ) -> None:
        self.library = library
        self.settings = settings or SearchSettings()
        self.words = WordRanker(library)
        self.meaning: Meaning | None = None
        if encoder is not None:
            from index.meaning import Meaning

            self.meaning = Meaning(library, encoder)

    def concepts(self, question: str | Question) -> list[Concept]:
        """What `question` asks about, with aliases and typo corrections applied."""
        return self.words.concepts(
            read_question(question) if isinstance(question, str) else question
        )

    def search(self, text: str, k: int | None = None, brief: str | None = None) -> Answer:
        """The best `k` passages (default: settings.top_k) for the question `text`, of
        one brief only when `brief` is given; BadQuestion when there is nothing to search."""
        with self.library.reading():  # a mapped file looked at once for all the reads
            return self._search(text, k, brief)

    def _search(self, text: str, k: int | None, brief: str | None) -> Answer:
        k = max(1, min(self.settings.top_k if k is None else k, MAX_RESULTS))
        among = None if brief is None else list(self.library.passages.of_brief(brief))
        question, found, vector, close = self._ranked(text, max(k, RERANK_DEPTH), among)
        part = asked_part(question.text)
        named = self._named_part(part, found, close)
        if among is not None:
            mine = set(among)
            named = [i for i in named if i in mine]  # that brief's part only
        order = self._order(found, close, named)
        verdict = self._verdict(found, close, bool(order))
        if named and verdict != "answered" and self._about_the_part(found, named):
            verdict = "answered"
        if verdict == "not_covered":
            # Far in meaning and short in words: only what the words found is worth
            # showing for reference (an off-topic question sharing no word shows nothing).
            order = passages_of(found.ranked)
        similarity = rounded(close.best(), 4) if close is not None else None
        facts = () if part is not None else self._facts(question, found, order, brief)
        if facts:
            known = any(f.value is not None for f in facts)
            return Answer(
                question=text,
                hits=(),
                answered=known,
                similarity=similarity,
                verdict="answered" if known else "not_covered",
                about=facts,
            )
        return Answer(
            question=text,
            hits=self._hits(vector, found, close, order[:k]),
            answered=verdict == "answered",
            similarity=similarity,
            verdict=verdict,
        )

    def _closeness(
        self, vector: Floats | None, found: WordRanking, among: list[int] | None = None
    ) -> Closeness | None:
        """Meaning of the question against every passage (when vectors are stored; only
        `among` when given) or the word candidates; None without the encoder or when
        ranking by words alone."""
        if self.meaning is None or vector is None or self.settings.ranking == "words":
            return None
        if among is not None and not among:
            return None  # a brief the library does not hold
        if self.meaning.covers_all or (among is not None and len(among) <= RERANK_DEPTH):
            return self.meaning.closeness(vector, among)
        return self.meaning.closeness(vector, passages_of(found.ranked))

    def _order(self, found: WordRanking, close: Closeness | None, named: list[int]) -> list[int]:
        """Passage positions, best first, by the chosen ranking (and a part the question
        names, as a third list in the fusion)."""
        if close is None and not named:
            return passages_of(found.ranked)  # by words alone: nothing to fuse
        _, by_meaning, fused = _rankings(found, close, named)
        if self.settings.ranking == "meaning" and close is not None:
            return by_meaning
        return sorted(fused, key=lambda i: (-fused[i], i))

    def _named_part(
        self, part: Part | None, found: WordRanking, close: Closeness | None
    ) -> list[int]:
        """The passages of the part of a brief the question names (`part`: "the main
        argument" names the standfirst) in the briefs the question is most about."""
        if part is None:
            return []
        _, _, fused = _rankings(found, close)
        ranked = sorted(fused, key=lambda i: (-fused[i], i)) or range(len(self.library.passages))
        return part_passages(self.library, part, ranked)

    def _facts(
        self, question: Question, found: WordRanking, order: list[int], brief: str | None
    ) -> tuple[BriefFact, ...]:
        """What a question about the document asks of its brief's metadata: the brief
        asked within, the brief of the best passage when the question names a topic too
        ("who wrote the piece on the 1961 treaty"), else each brief of a library of a few.
        None for a topic the library lacks (the caller asks none for a question naming a
        part: index/parts.py)."""
        asked = asked_facts(question.text)
        if not asked:
            return ()
        unknown = {id(c) for c in self.words.unknown(found.concepts)}
        topics = [c for c in found.concepts if names_topic(c)]
        if any(id(c) in unknown for c in topics):
            return ()
        briefs = self.library.briefs
        if brief is not None:
            subjects = [brief] if brief in briefs else []
        elif topics and order:
            subjects = [self.library.passages.brief_of(order[0])]
        else:  # "who published this?": the only brief, or each of a few
            subjects = list(briefs) if len(briefs) <= FACT_BRIEFS else []
        return tuple(f for b in subjects for f in facts_of(briefs[b], asked))

    def _about_the_part(self, found: WordRanking, named: list[int]) -> bool:
        """True when the part the question names answers it (index/parts.py): "the main
        argument of Hamlet" asks about Hamlet, which no part of these briefs holds."""
        held = set().union(*self.words.present(found.terms, named))
        return about_the_part(found.concepts, self.words.unknown(found.concepts), held)

    def trace(self, text: str) -> Trace:
        """The intermediate numbers a search of `text` ranks by (for explaining an answer)."""
        with self.library.reading():
            return self._trace(text)

    def _trace(self, text: str) -> Trace:
        question, found, _, close = self._ranked(text, RERANK_DEPTH)
        named = self._named_part(asked_part(question.text), found, close)
        by_words, by_meaning, fused = _rankings(found, close, named)
        order = self._order(found, close, named)
        return Trace(question, found, close, by_words, by_meaning, fused, order)

    def _ranked(
        self, text: str, depth: int, among: list[int] | None = None
    ) -> tuple[Question, WordRanking, Floats | None, Closeness | None]:
        """The question read, its `depth` best candidates by words (among `among` when
        given), its meaning vector and its closeness to the passages: what both a search
        and its trace rank by."""
        question = read_question(text)
        found = self.words.rank(question, depth, among)
        vector = self.meaning.embed_question(question.text) if self.meaning else None
        return question, found, vector, self._closeness(vector, found, among)

    def _verdict(self, found: WordRanking, close: Closeness | None, any_hit: bool) -> Verdict:
        """Answered when the words cover the question or meaning is close; not covered
        only when the words fall short and meaning is far; else closest."""
        if not any_hit:
            return "not_covered"
        words_ok = bool(found.ranked) and found.ranked[0].coverage >= self.settings.min_coverage
        if close is None:
            return "answered" if words_ok else "not_covered"
        best = close.best()
        if words_ok and best < MEANING_FAR and found.ranked[0].coverage < WORDS_SURE:
            # Half the words met by chance ("how many weeks until summer break" and the
            # brief's "several weeks ago") while the meaning is elsewhere: not an answer.
            words_ok = False
        if words_ok or best >= self.settings.min_similarity:
            return "answered"
        coverage = found.ranked[0].coverage if found.ranked else 0.0
        some_words = coverage >= self.settings.closest_min_coverage
        return "closest" if best >= self.settings.refuse_below and some_words else "not_covered"

    def _hits(
        self, vector: Floats | None, found: WordRanking, close: Closeness | None, ids: list[int]
    ) -> tuple[Hit, ...]:
        """The hits for passages `ids`, with their citations and best sentences."""
        scored = dict(zip(passages_of(found.ranked), found.ranked, strict=True))
        missing = [i for i in ids if i not in scored]
        if missing:  # passages only meaning or a named part found
            found_too = self.words.score(found, missing)
            scored.update(zip(passages_of(found_too), found_too, strict=True))
        cosine = dict(zip(close.ids, close.cosines, strict=True)) if close is not None else {}
        weights = found.term_weights()
        citation = self.library.citation
        # The words a hit matched follow from which concepts it holds: ten hits hold a
        # few patterns of them.
        matched: dict[tuple[bool, ...], tuple[str, ...]] = {}
        hits = []
        for i, passage in zip(ids, self.library.passages.many(ids), strict=True):
            by_words = scored[i]
            words = matched.get(by_words.concepts)
            if words is None:
                words = matched[by_words.concepts] = self.words.matched(found, by_words)
            cos = cosine.get(i)
            # Positional, in the fields' order: eight keywords cost 1 us more a hit.
            hits.append(
                Hit(
                    passage.id,
                    passage.text,
                    rounded(by_words.score, 4),  # score
                    citation(passage),
                    rounded(by_words.coverage, 4),  # coverage
                    words,  # matched
                    self._sentence(vector, found, weights, i, passage.text),
                    None if cos is None else rounded(float(cos), 4),  # similarity
                )
            )
        return tuple(hits)

    def _sentence(
        self,
        vector: Floats | None,
        found: WordRanking,
        weights: dict[str, float],
        i: int,
        text: str,
    ) -> tuple[int, int]:
        """The sentence to highlight in passage i (`text`): closest in meaning, nudged by
        the question's terms (`weights`: found.term_weights())."""
        if self.meaning is None or vector is None:
            return best_by_words(text, weights, self.words.sentence_terms)
        spans = sentence_spans(text) or [(0, len(text))]
        if len(spans) == 1:
            return spans[0]  # nothing to choose between
        cosines = self.meaning.sentence_cosines(vector, i)
        total = sum(found.weights) or 1.0
        best, best_score = spans[0], -2.0
        for span, cos in zip(spans, cosines, strict=False):
            held = weights.keys() & self.words.sentence_terms(text[span[0] : span[1]])
            share = sum(weights[t] for t in sorted(held)) / total
            score = rounded(float(cos) + SENTENCE_WORDS * share, 6)
            if score > best_score:
                best, best_score = span, score
        return best


@dataclass(frozen=True)
class Trace:
    """What one search computed on the way to its order: the word ranking, the meaning
    closeness, each ranking's passage positions best first, and the fused (RRF) scores."""

    question: Question
    found: WordRanking
    close: Closeness | None
    by_words: list[int]
    by_meaning: list[int]
    fused: dict[int, float]
    order: list[int]


def _rankings(
    found: WordRanking, close: Closeness | None, named: list[int] | None = None
) -> tuple[list[int], list[int], dict[int, float]]:
    """Passage positions by words and by meaning, best first, and their reciprocal-rank
    fusion (1/(FUSION_K + rank) summed over both, and over `named`: the passages of a
    part of a brief the question names)."""
    by_words = passages_of(found.ranked)
    by_meaning = []
    if close is not None:
        by_meaning = [
            close.ids[j]
            for j in sorted(range(len(close.ids)), key=lambda j: (-close.scores[j], close.ids[j]))
        ]
    fused: dict[int, float] = {}
    for ranking in (by_words, by_meaning, named or []):
        for rank, i in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (FUSION_K + rank)
    return by_words, by_meaning, fused


def warm_up() -> None:
    """Load what search otherwise loads on first need (English word frequencies), so a
    server's first question does not wait for them."""
    is_english_word("the")
