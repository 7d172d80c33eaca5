"""Benchmark: what each study tool adds to an answer on the seed brief (p50, milliseconds).

    python bench/study.py               # 50 repeats each
    python bench/study.py --repeats 10  # quicker

Each figure is the median wall time of the tool's own work after one warm-up, on top of
the search the answer already ran (timed too, for scale): the Cite references in four
styles, the Why? explanation (it searches again to trace the ranks), a claim check (one
search), recording the question and answer and a vote in the feedback file (SQLite, WAL,
in a temporary folder), a quiz question over the seed brief, and the refresh diff of two
libraries. Uses the sentence encoder as the front ends do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.citing import quoted_paragraphs, style_blocks
from bot.feedback import FeedbackStore, answer_key
from index import IndexSettings, Searcher, build_index
from index.claims import check_claim
from index.diff import diff_libraries, text_hash
from index.explain import explain
from index.meaning import shared_encoder
from index.quiz import make_question

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "How long is the border between North Korea and China?",
    "Why does Kim want an alternative to China?",
    "What did Kim Il-sung do in 1961?",
]


def p50_ms(work: Callable[[int], object], repeats: int) -> float:
    """The median of `repeats` timed calls, after one warm-up call."""
    work(0)
    times = []
    for n in range(repeats):
        start = time.perf_counter()
        work(n)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def main() -> None:
    """Print one JSON object: p50 milliseconds per tool."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    repeats = parser.parse_args().repeats
    cache = Path(tempfile.gettempdir()) / "briefbot-tests-model"
    encoder = shared_encoder(None, cache)
    library = build_index(REPO / "seeds", IndexSettings(), encoder=encoder)
    searcher = Searcher(library, encoder=encoder)
    answers = [searcher.search(q, 3) for q in QUESTIONS]
    passages = [library.passages[i] for i in range(len(library.passages))]

    def ask(n: int) -> object:
        return searcher.search(QUESTIONS[n % 3], 3)

    def cite(n: int) -> object:
        ids = [h.passage_id for h in answers[n % 3].hits]
        return style_blocks(library, quoted_paragraphs(library, ids))

    def why(n: int) -> object:
        answer = answers[n % 3]
        return explain(searcher, answer.question, [h.passage_id for h in answer.hits])

    def check(n: int) -> object:
        return check_claim(searcher, "North Korea and China share a 1,350-kilometre border.")

    with tempfile.TemporaryDirectory() as folder:
        store = FeedbackStore(Path(folder) / "feedback.sqlite3")

        def feedback(n: int) -> object:
            answer = answers[n % 3]
            quoted = [(h.passage_id, text_hash(h.text)) for h in answer.hits]
            key = answer_key(answer.question, [p for p, _ in quoted], "bench")
            store.record_question(1, answer.question, "answered", quoted[0][0], key)
            store.remember_answer(1, 2, key, answer.question, quoted, True)
            return store.vote(1, key, n, n % 2 == 0)

        figures = {
            "search (for scale)": p50_ms(ask, repeats),
            "cite (4 styles)": p50_ms(cite, repeats),
            "why (explain)": p50_ms(why, repeats),
            "check a claim": p50_ms(check, repeats),
            "feedback (record + vote)": p50_ms(feedback, repeats),
            "quiz question": p50_ms(
                lambda n: make_question(passages, n, aliases=library.alias_groups), repeats
            ),
            "refresh diff": p50_ms(lambda n: diff_libraries(library, library), repeats),
        }
        store.close()
    print(json.dumps({"p50_ms": figures, "repeats": repeats}, indent=2))


if __name__ == "__main__":
    main()
