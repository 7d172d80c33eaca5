"""Query understanding: aliases, typo tolerance, forms of a word, the best sentence."""

from __future__ import annotations

import pytest

from index import IndexSettings, build_index
from index.aliases import Aliases
from index.query import corrections

VOCAB = ["sanction", "shoigu", "pyongyang", "jinp", "triangular", "kim", "border"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("santion", ["sanction"]),  # one letter dropped
        ("shoygu", ["shoigu"]),
        ("pyongang", ["pyongyang"]),
        ("jingp", ["jinp"]),
        ("triangl", ["triangular"]),  # another form of the word
        ("kin", []),  # short words are never guessed
        ("capit", []),  # nothing near enough
    ],
)
def test_corrections(typed, expected):
    assert corrections(typed, VOCAB) == expected


def test_alias_group_counts_as_one_term():
    aliases = Aliases([["North Korea", "DPRK", "Pyongyang"], ["Soviet Union", "USSR", "Soviet"]])
    assert aliases.annotate(["dprk", "sino", "soviet", "split"]) == [
        "dprk",
        "sino",
        "soviet",
        "split",
        "~north_korea",
        "~soviet_union",
    ]
    assert aliases.match(["north", "korea", "border"], 0) == ("~north_korea", 2)
    assert aliases.match(["border"], 0) is None


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("Does the DPRK share a border with the PRC?", 4),
        ("USSR alliance 1961", 2),
        ("Shoygu letter", 3),
        ("santions", 4),
        ("Pyongang parade drones", 1),
    ],
)
def test_aliases_and_typos_find_the_passage(seed_index, question, paragraph):
    answer = seed_index.search(question, 1)
    assert answer.hits[0].citation.paragraph == paragraph
    assert answer.answered


def test_without_aliases_the_acronym_finds_nothing(seeds_dir):
    (seeds_dir / "aliases.yaml").unlink()
    index = build_index(seeds_dir, IndexSettings())
    assert index.search("DPRK PRC", 3).hits == ()


def test_bad_aliases_file_is_skipped_with_reason(seeds_dir):
    (seeds_dir / "aliases.yaml").write_text("- [just one]\n", encoding="utf-8")
    index = build_index(seeds_dir, IndexSettings())
    assert [(s.file, s.reason) for s in index.skipped] == [
        (
            "aliases.yaml",
            "group 1 must list two names or more, e.g. [USSR, Soviet]; searching without aliases",
        )
    ]
    assert len(index.passages) == 8


def test_best_sentence_and_matched_words(seed_index):
    hit = seed_index.search("Who delivered a letter from Putin?", 1).hits[0]
    start, end = hit.sentence
    assert hit.text[start:end] == (
        "Shoigu also delivered a letter from Russian President Vladimir Putin "
        "during a mass meeting, a rare move by a foreign delegation."
    )
    assert hit.matched == ("delivered", "letter", "putin")


def test_not_covered_question(seed_index):
    answer = seed_index.search("What is Japan's defence budget in 2030?", 3)
    assert not answer.answered
    assert seed_index.search("How long is the border with China?", 3).answered


def test_typo_lookups_are_bounded_per_question(monkeypatch, seed_index):
    import index.query as query

    calls = []
    real = query.corrections
    monkeypatch.setattr(query, "corrections", lambda t, v: calls.append(t) or real(t, v))
    question = " ".join(f"zzqx{chr(97 + i % 26)}{i}word" for i in range(40))
    seed_index.search(question, 3)
    assert len(calls) == query.MAX_TYPO_LOOKUPS


def test_best_sentence_counts_alias_terms(seed_index):
    hit = seed_index.search("DPRK ICBM technology", 1).hits[0]
    start, end = hit.sentence
    assert "ICBM technology came from Russia" in hit.text[start:end]
