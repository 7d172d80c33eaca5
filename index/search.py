"""The search every front end shares: a question in, cited passages and a verdict out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from index.brief import BriefInfo
from index.cite import Citation, locator
from index.engines import Engine, PassageLookup, make_engine
from index.errors import BadQuestion
from index.passages import Passage
from index.sentences import sentence_spans
from index.settings import IndexSettings
from index.tokenize import stem, tokenize, words

MAX_QUESTION_CHARS = 4000
MAX_RESULTS = 10


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
    # A ready engine (e.g. mapped from the index file); None builds one from `tokens`.
    engine: Engine | None = field(default=None, repr=False, compare=False)
    _engine: Engine = field(init=False, repr=False)
    _by_id: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.engine is None:
            self.engine = make_engine(self.tokens, self.settings)
        self._engine = self.engine
        # Array-backed passages find ids themselves; a dict of a million would cost seconds.
        lookup = isinstance(self.passages, PassageLookup)
        self._by_id = {} if lookup else {p.id: i for i, p in enumerate(self.passages)}

    def _idf(self, term: str) -> float:
        # The BM25L/Robertson-style IDF; always positive, highest for unseen terms.
        n = len(self.passages)
        return math.log((n + 1) / (self._engine.document_frequency(term) + 0.5))

    def search(self, question: str, k: int = 3) -> Answer:
        """The best `k` passages for `question`; BadQuestion when there is nothing to search."""
        if len(question) > MAX_QUESTION_CHARS:
            raise BadQuestion(
                f"The question is {len(question)} characters long; "
                f"keep it under {MAX_QUESTION_CHARS}."
            )
        question_words = list(dict.fromkeys(words(question)))
        terms = list(dict.fromkeys(stem(w) for w in question_words))
        if not terms:
            raise BadQuestion(
                "The question has no words to search for. Ask with a few keywords, "
                'for example "Why does China matter to North Korea?"'
            )
        k = max(1, min(k, MAX_RESULTS))
        weights = {t: self._idf(t) for t in terms}
        total = sum(weights.values())
        hits = []
        for i, score in self._engine.top(terms, k):
            present = set(self.tokens[i]) & weights.keys()
            hits.append(
                Hit(
                    passage_id=self.passages[i].id,
                    text=self.passages[i].text,
                    score=round(score, 4),
                    citation=self.citation(self.passages[i]),
                    coverage=round(sum(weights[t] for t in present) / total, 4),
                    matched=tuple(w for w in question_words if stem(w) in present),
                    sentence=_best_sentence(self.passages[i].text, weights),
                )
            )
        answered = bool(hits) and hits[0].coverage >= self.settings.min_coverage
        return Answer(question=question, hits=tuple(hits), answered=answered)

    def citation(self, passage: Passage) -> Citation:
        """The citation of `passage`: brief title, `¶n`, brief id and url."""
        brief = self.briefs[passage.brief]
        return Citation(
            title=brief.title,
            locator=locator(passage.paragraph, passage.part),
            paragraph=passage.paragraph,
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

    def paragraph(self, brief_id: str, number: int) -> list[Passage]:
        """The passages of paragraph `number` of a brief (more than one when it was split)."""
        if isinstance(self.passages, PassageLookup):
            mine = [self.passages[i] for i in self.passages.of_brief(brief_id)]
            return [p for p in mine if p.paragraph == number]
        return [p for p in self.passages if p.brief == brief_id and p.paragraph == number]


def _best_sentence(text: str, weights: Mapping[str, float]) -> tuple[int, int]:
    """The span of the sentence holding the most question-term weight (first on ties)."""
    best, best_weight = (0, len(text)), -1.0
    for start, end in sentence_spans(text):
        weight = sum(weights[t] for t in set(tokenize(text[start:end])) if t in weights)
        if weight > best_weight:
            best, best_weight = (start, end), weight
    return best
