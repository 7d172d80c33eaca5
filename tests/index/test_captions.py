"""Photo captions: each distinct one a passage of its own, quoted as printed, cited as a
caption with where it stands; body numbering, ids and study questions unchanged by them."""

from __future__ import annotations

import pytest

from index import IndexSettings, build_index
from index.backends import backend_for
from index.brief import parse_brief
from index.brief_formats import load_brief
from index.cite import locator
from index.passages import parse_passage_id, passage_id
from index.quiz import make_question
from index.splitting import passages_of
from tests.conftest import SEED_STEM, SEEDS

BODY = (
    "Fiji has moved forty-two villages inland since 2012, and plans to move many more as "
    "the sea rises faster than expected.",
    "Each move is paid for by a trust fund that takes a levy on departure taxes, topped up "
    "by grants from New Zealand.",
    "Critics say the levy is far too small for the eighty villages still at risk, and the "
    "fund will run dry.",
)


def brief_text(*middle: str, end: str = "") -> str:
    """A .txt brief: title, then `middle` blocks between the first and second paragraphs."""
    blocks = ["Seawalls of Fiji", BODY[0], *middle, BODY[1], BODY[2]]
    return "\n\n".join(blocks + ([end] if end else [])) + "\n"


CAPTION = "Villagers rebuild the sea wall at Togoru (Getty Images)"


@pytest.mark.parametrize(
    ("middle", "end", "kept", "dropped"),
    [
        # A caption printed twice (a saved web page), kept once.
        ([f"{CAPTION}\n{CAPTION}"], "", [(CAPTION, 2)], 0),
        # One ending in a credit; a second copy further down is not kept again.
        ([CAPTION], CAPTION, [(CAPTION, 2)], 0),
        # At the end of the brief: before the paragraph after the last.
        ([], CAPTION, [(CAPTION, 4)], 0),
        # A credit alone, or a caption the body already says word for word: left out.
        (["(Photo: Getty Images)"], "", [], 1),
        (["Grants from New Zealand (Getty Images)"], "", [], 1),
        (["Sea walls at Suva\nSea walls at Suva"], "", [("Sea walls at Suva", 2)], 0),
    ],
)
def test_txt_captions(middle, end, kept, dropped):
    brief = parse_brief(brief_text(*middle, end=end), "b")
    assert [p.text for p in brief.paragraphs] == list(BODY)
    assert [(c.text, c.before) for c in brief.captions] == kept
    assert len(brief.dropped) == dropped
    assert all(d.startswith("caption ") for d in brief.dropped)


def test_html_caption_becomes_a_caption_before_its_paragraph(tmp_path):
    figure = '<figure><img src="a.jpg"><figcaption>{}</figcaption></figure>'
    paragraphs = [f"<p>{p} {p}</p>" for p in BODY]  # long enough for trafilatura
    html = (
        "<!DOCTYPE html><html><head><title>Seawalls of Fiji</title></head><body><main>"
        "<article><h1>Seawalls of Fiji</h1>"
        + paragraphs[0]
        + paragraphs[1]
        + figure.format(CAPTION)
        + paragraphs[2]
        + "</article></main></body></html>"
    )
    path = tmp_path / "fiji.html"
    path.write_text(html, encoding="utf-8")
    brief = load_brief(path)
    assert [(c.text, c.before) for c in brief.captions] == [(CAPTION, 3)]
    assert all(CAPTION not in p.text for p in brief.paragraphs)
    assert "1 caption" not in brief.dropped


def test_caption_passages_do_not_renumber_the_body(seed_library):
    passages = [seed_library.passages[i] for i in seed_library.passages.of_brief(SEED_STEM)]
    assert [(p.id.rpartition(":")[2], p.kind) for p in passages] == [
        ("0", "standfirst"),
        ("c1", "caption"),
        *[(str(n), "paragraph") for n in range(1, 6)],
        ("c6", "caption"),
        *[(str(n), "paragraph") for n in range(6, 9)],
    ]
    assert seed_library.paragraph(SEED_STEM, 1)[0].text.startswith("Flanking North Korean")
    assert len({p.id for p in passages}) == len(passages)
    caption = seed_library.passage(f"{SEED_STEM}:c1")
    assert caption is not None and caption.paragraph == -1 and caption.before == 1
    assert caption.text.startswith("Russian Defence Minister Sergei Shoigu in talks")
    assert seed_library.briefs[SEED_STEM].paragraphs == 8


def test_caption_citation(seed_library):
    citation = seed_library.citation(seed_library.passage(f"{SEED_STEM}:c6"))
    assert citation.locator == "photo caption before \u00b66"
    assert citation.kind == "caption" and citation.paragraph == -6
    assert citation.label().startswith("Can North Korea play off Russia against China?, photo")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((-1,), "photo caption before \u00b61"),
        ((-9, 0, 0, 8), "photo caption after \u00b68"),
        ((-3, 2), "photo caption before \u00b63 (part 2)"),
        ((-3, 0, 4), "p. 4 photo caption before \u00b63"),
        ((0,), "standfirst"),
        ((3,), "\u00b63"),
    ],
)
def test_locator(args, expected):
    assert locator(*args) == expected


@pytest.mark.parametrize(
    ("brief", "paragraph", "part", "text"),
    [
        ("b", 4, 0, "b:4"),
        ("b", 4, 2, "b:4.2"),
        ("b", 0, 0, "b:0"),
        ("b", -4, 0, "b:c4"),
        ("week1/b:x", -4, 2, "week1/b:x:c4.2"),
    ],
)
def test_passage_ids_round_trip(brief, paragraph, part, text):
    assert passage_id(brief, paragraph, part) == text
    assert parse_passage_id(text) == (brief, paragraph, part)


@pytest.mark.parametrize("text", ["b:c", "b:c0", "b:cx", "b:-1", ":3", "b:3.x", "b"])
def test_not_passage_ids(text):
    assert parse_passage_id(text) is None


def test_two_captions_before_one_paragraph_are_parts():
    other = "A map of the villages moved so far (Photo: Fiji government)"
    brief = parse_brief(brief_text(CAPTION, other), "b")
    passages = passages_of(brief, 1000, captions=True)
    captions = [p for p in passages if p.kind == "caption"]
    assert [(p.id, p.text) for p in captions] == [("b:c2.1", CAPTION), ("b:c2.2", other)]
    assert [p.id for p in passages] == ["b:1", "b:c2.1", "b:c2.2", "b:2", "b:3"]


def test_no_quiz_question_from_a_caption(seed_library):
    passages = list(seed_library.passages)
    # The treaty caption holds a year (1961) and names: blankable, were it a sentence.
    asked = {make_question(passages, seed).passage_id for seed in range(200)}
    assert len(asked) > 3
    assert all(seed_library.passage(pid).kind != "caption" for pid in asked)


@pytest.mark.parametrize("engine", ["rank-bm25", "numpy"])
def test_both_formats_keep_captions(tmp_path, seed_library, engine):
    """JSON (rank-bm25) and mapped (numpy) files: caption passages, ids and kinds survive."""
    settings = IndexSettings(engine=engine)
    library = build_index(SEEDS, settings)
    backend = backend_for(settings, len(library.passages))
    path = tmp_path / "index.file"
    backend.save(library, path)
    loaded = backend.load(path, settings)
    assert [p.id for p in loaded.passages] == [p.id for p in seed_library.passages]
    caption = loaded.passage(f"{SEED_STEM}:c6")
    assert caption is not None and caption.kind == "caption"
    assert caption.text.startswith("Signing Sino-North Korean")
    assert loaded.citation(caption).locator == "photo caption before \u00b66"


def test_the_treaty_question_is_answered_by_its_caption(seed_searcher):
    answer = seed_searcher.search("when was the Sino-North Korean friendship treaty signed?", 3)
    assert answer.verdict == "answered"
    top = answer.hits[0]
    assert top.passage_id == f"{SEED_STEM}:c6"
    assert top.text.endswith("11 July 1961 (Wikimedia Commons)")
    assert top.citation.locator == "photo caption before \u00b66"


def test_the_photo_at_the_top_is_found(seed_searcher):
    answer = seed_searcher.search("who is in the photo at the top?", 3)
    assert answer.verdict != "not_covered"
    assert f"{SEED_STEM}:c1" in [h.passage_id for h in answer.shown()]
