"""Measure answer quality on a question set, beside a plain BM25 baseline run on the same set.

A question set is YAML: a list of {q, expect: [phrases]} (any phrase found in a
passage makes it right) or {q, none: true, kind: off-topic | near-topic} (the briefs do
not answer it; off-topic: nothing to do with them, near-topic: their subject, not their text).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rank_bm25 import BM25Okapi

from index.errors import BadQuestion, BriefError
from index.readers import SUFFIXES as BRIEF_SUFFIXES
from index.safe_yaml import YamlRefused, load_yaml
from index.search import Searcher
from index.tokenize import normalize

KINDS = ("off-topic", "near-topic")
# The largest set in tests/qa is 11 kB: a question set is text a person wrote.
MAX_QUESTION_SET_BYTES = 5 * 1024 * 1024


class BadQuestionSet(BriefError):
    """The question-set file cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Case:
    """One question and what a right answer contains (no phrases: not answerable)."""

    question: str
    expect: tuple[str, ...]
    kind: str = ""

    @property
    def answerable(self) -> bool:
        """False for `none: true` questions."""
        return bool(self.expect)


@dataclass(frozen=True)
class Ranked:
    """What a system returned for a question: passage texts best first, and whether it
    answered (shown passages as an answer, even framed as the closest) or refused it."""

    texts: tuple[str, ...]
    answered: bool


@dataclass
class Report:
    """Figures for one system over a question set, and the misses."""

    name: str
    recall_at_1: float = 0.0
    recall_at_3: float = 0.0
    mrr: float = 0.0
    none_recognised: float = 0.0
    off_topic_recognised: float = 0.0
    near_topic_recognised: float = 0.0
    wrongly_refused: float = 0.0
    misses: list[str] = field(default_factory=list)


def load_cases(path: Path) -> list[Case]:
    """Read a question set; raise BadQuestionSet naming the entry that is wrong."""
    try:
        data = load_yaml(path, max_bytes=MAX_QUESTION_SET_BYTES)
    except YamlRefused as exc:  # what is wrong and where, as for configs and metadata
        raise BadQuestionSet(f"cannot read question set {path}: {exc.detail}") from exc
    if not isinstance(data, list) or not data:
        raise BadQuestionSet(f"{path} must be a non-empty list of questions")
    cases = []
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise BadQuestionSet(f"entry {n} of {path} needs q: (the question)")
        expect = entry.get("expect", [])
        if isinstance(expect, str):
            expect = [expect]
        if entry.get("none") is True and expect:
            raise BadQuestionSet(f"entry {n} of {path} has both none: true and expect:")
        if not entry.get("none") and not (
            isinstance(expect, list) and expect and all(isinstance(p, str) for p in expect)
        ):
            raise BadQuestionSet(f"entry {n} of {path} needs expect: [phrases] or none: true")
        kind = entry.get("kind", "")
        if entry.get("none") and kind not in KINDS:
            raise BadQuestionSet(f"entry {n} of {path} needs kind: off-topic or near-topic")
        cases.append(Case(entry["q"], tuple(expect), kind if entry.get("none") else ""))
    return cases


def _key(text: str) -> str:
    return " ".join(normalize(text).casefold().split())


def _rank_of(case: Case, ranked: Ranked) -> int | None:
    """1-based rank of the first text containing an expected phrase, or None."""
    phrases = [_key(p) for p in case.expect]
    for rank, text in enumerate(ranked.texts, start=1):
        if any(p in _key(text) for p in phrases):
            return rank
    return None


def evaluate(name: str, cases: Sequence[Case], system: Callable[[str], Ranked]) -> Report:
    """Run every case through `system` and compute recall@1/@3, MRR and the refusal shares."""
    report = Report(name)
    answerable = [c for c in cases if c.answerable]
    unanswerable = [c for c in cases if not c.answerable]
    recognised = {kind: 0 for kind in KINDS}
    for case in cases:
        ranked = system(case.question)
        if not case.answerable:
            recognised[case.kind] += not ranked.answered
            if ranked.answered:
                report.misses.append(f"answered a {case.kind} question: {case.question!r}")
            continue
        rank = _rank_of(case, ranked)
        report.recall_at_1 += rank == 1
        report.recall_at_3 += rank is not None and rank <= 3
        report.mrr += 1 / rank if rank else 0.0
        report.wrongly_refused += not ranked.answered
        if rank != 1:
            first = ranked.texts[0][:70] if ranked.texts else "(nothing)"
            report.misses.append(f"rank {rank or '-'} for {case.question!r}; first: {first}…")
        elif not ranked.answered:
            report.misses.append(f"refused but right: {case.question!r}")
    for attr in ("recall_at_1", "recall_at_3", "mrr", "wrongly_refused"):
        setattr(report, attr, round(getattr(report, attr) / max(1, len(answerable)), 3))
    report.none_recognised = round(sum(recognised.values()) / max(1, len(unanswerable)), 3)
    for kind, attr in zip(KINDS, ("off_topic_recognised", "near_topic_recognised"), strict=True):
        asked = sum(c.kind == kind for c in unanswerable)
        setattr(report, attr, round(recognised[kind] / asked, 3) if asked else float("nan"))
    return report


def ours(index: Searcher, k: int = 10) -> Callable[[str], Ranked]:
    """Our search pipeline as an evaluated system."""

    def run(question: str) -> Ranked:
        try:
            answer = index.search(question, k)
        except BadQuestion:
            return Ranked((), False)
        # What the user reads, in order: the passages, or the facts of a brief's metadata
        # that a question about the brief itself is answered with.
        shown = tuple(h.text for h in answer.hits) or tuple(
            f.value for f in answer.about if f.value is not None
        )
        return Ranked(shown, answer.verdict != "not_covered")

    return run


def baseline(seeds_dir: Path, k: int = 10) -> Callable[[str], Ranked]:
    """Plain BM25: rank-bm25 BM25Okapi over the raw lines of the briefs, lower-cased split."""
    lines = [
        line.strip()
        for path in sorted(seeds_dir.iterdir())
        if path.suffix.lower() in BRIEF_SUFFIXES
        for line in _lines(path)
        if line.strip()
    ]
    model = BM25Okapi([line.lower().split() for line in lines])

    def run(question: str) -> Ranked:
        scores = model.get_scores(question.lower().split())
        order = sorted(range(len(lines)), key=lambda i: (-scores[i], i))[:k]
        return Ranked(tuple(lines[i] for i in order), bool(order) and scores[order[0]] > 0)

    return run


def _lines(path: Path) -> list[str]:
    """The lines of a brief for the baseline; none for a file the index skips too (not
    UTF-8, unreadable): the baseline must not crash where briefbot reports a skip."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _cell(value: float, width: int) -> str:
    """A figure right-aligned; "-" when the set has no question of that kind."""
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.3f}"


def format_reports(reports: Sequence[Report], cases: Sequence[Case]) -> str:
    """Side-by-side table of the figures, then each system's misses."""
    answerable = sum(c.answerable for c in cases)
    rows = [
        ("recall@1", "recall_at_1"),
        ("recall@3", "recall_at_3"),
        ("MRR", "mrr"),
        ("not covered recognised", "none_recognised"),
        ("  off-topic recognised", "off_topic_recognised"),
        ("  near-topic recognised", "near_topic_recognised"),
        ("answerable wrongly refused", "wrongly_refused"),
    ]
    width = max(len(r.name) for r in reports) + 2
    lines = [
        f"{len(cases)} questions ({answerable} answerable, {len(cases) - answerable} not covered)",
        f"{'':28}" + "".join(f"{r.name:>{width}}" for r in reports),
    ]
    for label, attr in rows:
        lines.append(f"{label:28}" + "".join(_cell(getattr(r, attr), width) for r in reports))
    last = reports[-1]  # the system as configured; the others are for comparison
    lines.append(f"\n{last.name}: {len(last.misses)} misses")
    lines.extend(f"  - {m}" for m in last.misses)
    return "\n".join(lines)
