"""Searching one brief: its passages are ranked, whatever the rest of the library holds."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.build import build_index
from index.search import Searcher
from index.settings import IndexSettings
from tests.conftest import SEEDS

SEED_ID = "interpreter-can-north-korea-play-off-russia-against-china"


def test_a_brief_is_searched_whole_not_among_the_library_best(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    # A brief that wins every word of the question, twelve times over.
    loud = "\n\n".join(
        f"Paragraph {n}: the border between China and North Korea is long, the border is "
        f"guarded, and how long the border is matters (note {n})."
        for n in range(1, 13)
    )
    (seeds / "border-notes.txt").write_text(f"Border notes\n\n{loud}\n", encoding="utf-8")
    searcher = Searcher(build_index(seeds, IndexSettings()))
    question = "How long is the border between China and North Korea?"

    everywhere = searcher.search(question, 10)
    assert all(h.citation.brief == "border-notes" for h in everywhere.hits)

    within = searcher.search(question, 3, brief=SEED_ID)
    assert within.verdict == "answered"
    assert within.hits and all(h.citation.brief == SEED_ID for h in within.hits)
    assert "1,350-kilometre border" in within.hits[0].text


def test_a_brief_that_does_not_answer_is_not_covered(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("recipe for banana bread", 3, brief=SEED_ID)
    assert answer.verdict == "not_covered"
    unknown = seed_searcher.search("How long is the border?", 3, brief="no-such-brief")
    assert unknown.hits == () and unknown.verdict == "not_covered"


def test_a_named_part_comes_from_the_brief_asked_about(seed_searcher: Searcher) -> None:
    answer = seed_searcher.search("summary", 3, brief=SEED_ID)
    assert answer.hits and all(h.citation.brief == SEED_ID for h in answer.hits)
    assert answer.hits[0].citation.kind == "standfirst"
