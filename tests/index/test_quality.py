"""Answer quality on the question sets: a change that makes answers worse fails here.

seed.yaml is the set the pipeline was tuned on (the issue's targets apply to it);
holdout.yaml and holdout2.yaml were written blind by people who never saw the
pipeline or its scores. Their bounds are the figures measured when they were added:
guards against getting worse, not targets (README, "Answer quality").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Searcher
from index.evaluation import BadQuestionSet, baseline, evaluate, load_cases, ours
from tests.conftest import SEEDS

QA_DIR = Path(__file__).resolve().parent.parent / "qa"
QA = QA_DIR / "seed.yaml"


@pytest.fixture(scope="module")
def cases():
    return load_cases(QA)


@pytest.fixture(scope="module")
def report(cases, seed_library):
    return evaluate("briefbot", cases, ours(Searcher(seed_library)))


def test_question_set_is_large_and_mixed(cases):
    assert len(cases) >= 60
    assert sum(not c.answerable for c in cases) >= 10


def test_targets(report):
    assert report.recall_at_1 >= 0.92, report.misses
    assert report.recall_at_3 >= 0.98, report.misses
    assert report.none_recognised >= 0.9, report.misses
    assert report.wrongly_refused <= 0.03, report.misses


# name -> measured (recall@1, recall@3, not covered recognised, wrongly refused)
BLIND = {
    "holdout.yaml": (0.667, 0.900, 0.583, 0.267),
    "holdout2.yaml": (0.800, 0.967, 0.417, 0.100),
}


@pytest.mark.parametrize("name", sorted(BLIND))
def test_blind_sets_do_not_get_worse(name, seed_library):
    r1, r3, none, refused = BLIND[name]
    report = evaluate("briefbot", load_cases(QA_DIR / name), ours(Searcher(seed_library)))
    assert report.recall_at_1 >= r1, report.misses
    assert report.recall_at_3 >= r3, report.misses
    assert report.none_recognised >= none, report.misses
    assert report.wrongly_refused <= refused, report.misses


def test_beats_the_plain_baseline(cases, report):
    plain = evaluate("baseline", cases, baseline(SEEDS))
    assert report.recall_at_1 >= plain.recall_at_1 + 0.2
    assert report.mrr > plain.mrr
    assert plain.none_recognised == 0.0  # score > 0 refuses nothing


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "must be a non-empty list"),
        ("- q: hi\n", "entry 1 .* needs expect"),
        ("- {q: hi, none: true, expect: [x]}\n", "both none: true and expect"),
        ("- expect: [x]\n", "entry 1 .* needs q:"),
        ("- q: [\n", "cannot read question set"),
    ],
)
def test_bad_question_sets_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "qa.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadQuestionSet, match=message):
        load_cases(path)


@pytest.mark.parametrize("variant", ["bm25l", "okapi", "bm25plus"])
def test_both_engines_answer_the_question_set_alike(cases, variant):
    """The whole pipeline (aliases, typos, re-ranking, not covered) over either engine."""
    from dataclasses import replace

    from index import IndexSettings, build_index

    small, large = (
        build_index(SEEDS, replace(IndexSettings(), engine=engine, variant=variant))
        for engine in ("rank-bm25", "numpy")
    )
    for case in cases:
        a, b = Searcher(small).search(case.question, 5), Searcher(large).search(case.question, 5)
        assert [h.passage_id for h in a.hits] == [h.passage_id for h in b.hits], case.question
        assert [h.coverage for h in a.hits] == [h.coverage for h in b.hits], case.question
        assert a.answered == b.answered, case.question


def test_baseline_skips_files_the_index_skips(seeds_dir):
    """Issue 12 item 15: a Latin-1 .txt and a binary .md crashed `briefbot eval`."""
    (seeds_dir / "latin.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (seeds_dir / "binary.md").write_bytes(b"\x00\x01\xff\xfe")
    run = baseline(seeds_dir)
    assert run("border China").texts  # the seed brief still answers


def test_not_covered_questions_need_a_kind(tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text("- q: what is the capital of peru\n  none: true\n", encoding="utf-8")
    with pytest.raises(BadQuestionSet, match="kind: off-topic or near-topic"):
        load_cases(path)
