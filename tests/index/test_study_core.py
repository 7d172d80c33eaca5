"""The study tools' core: the refresh diff by text hash, and how a question term matched."""

from __future__ import annotations

import dataclasses

from index.diff import diff_brief, diff_libraries
from index.explain import explain, how_matched
from index.library import PassageList
from index.query import Concept
from tests.conftest import SEED_STEM


def _edited(library, edits):
    """`library` with passage texts replaced ({position: text or None to drop}) ."""
    passages = []
    for i, p in enumerate(library.passages):
        if i in edits and edits[i] is None:
            continue
        passages.append(dataclasses.replace(p, text=edits.get(i, p.text)))
    return dataclasses.replace(library, passages=PassageList(passages))


def _position(library, paragraph):
    return next(i for i, p in enumerate(library.passages) if p.paragraph == paragraph)


def test_unchanged_library_has_no_diff(seed_library):
    assert diff_libraries(seed_library, seed_library) == []


def test_an_edited_paragraph_is_one_changed(seed_library):
    i = _position(seed_library, 3)
    new = _edited(seed_library, {i: seed_library.passages[i].text + " Edited."})
    d = diff_brief(seed_library, new, SEED_STEM)
    assert (d.added, d.changed, d.removed) == ((), (3,), ())


def test_a_removed_paragraph_is_one_removed_not_every_later_one_changed(seed_library):
    new = _edited(seed_library, {_position(seed_library, 2): None})
    d = diff_brief(seed_library, new, SEED_STEM)
    assert (d.added, d.changed, d.removed) == ((), (), (2,))


def test_how_a_term_matched():
    assert how_matched(Concept(("border",), (("border",),))) == "typed"
    assert how_matched(Concept(("sanctions",), (("sanction",),))) == "word_form"
    assert how_matched(Concept(("beijing",), (("~china",),))) == "alias"
    assert how_matched(Concept(("bordr",), (("border",),), 0.8)) == "typo"
    assert how_matched(Concept(("jong", "un"), (("jong", "un"), ("jongun",)))) == "compound"


def test_explain_reports_a_typo_correction_and_ranks(seed_searcher):
    answer = seed_searcher.search("How long is the bordre with China?", 1)
    (why,) = explain(seed_searcher, answer.question, [answer.hits[0].passage_id]).passages
    typo = next(t for t in why.terms if t.words == ("bordre",))
    assert (typo.how, typo.terms, typo.found) == ("typo", ("border",), True)
    assert why.fused_rank == 1
    assert why.rrf is not None and why.similarity is not None
