"""Briefs in every format become the same structure: Markdown rendered, HTML without its
chrome, PDF paragraphs with their page; subfolders read; every file not indexed listed."""

from __future__ import annotations

import pytest

from index import IndexSettings, Searcher, build_index
from index.brief_formats import load_brief
from index.build import brief_id_of
from index.cite import locator
from index.seeds import seed_sources
from tests.conftest import SEED_TEXT
from tests.index.readers.pdfs import simple_pdf, two_column_pdf

MARKDOWN = """# Fiji's \\*new\\* coastal plan

Fiji will move **forty-two** villages inland, says the [plan](https://example.org).

- Each village elects a `committee`.
- Families keep their old land.
"""


def test_markdown_is_quoted_as_a_reader_sees_it(tmp_path):
    path = tmp_path / "fiji.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    brief = load_brief(path)
    assert brief.title == "Fiji's *new* coastal plan"
    assert [p.text for p in brief.paragraphs] == [
        "Fiji will move forty-two villages inland, says the plan.",
        "Each village elects a committee.",
        "Families keep their old land.",
    ]
    assert all(p.page == 0 for p in brief.paragraphs)


def test_a_pdf_paragraph_is_cited_with_its_page(tmp_path):
    (tmp_path / "coast.pdf").write_bytes(simple_pdf())
    library = build_index(tmp_path, IndexSettings())
    answer = Searcher(library).search("Would loans add to debt for island states?")
    hit = answer.hits[0]
    assert "loans would add to debt" in hit.text
    assert hit.citation.page == 2
    # The first, shorter paragraph stands apart as the standfirst (as in a .txt brief),
    # so the paragraph that starts on page 2 is the second body paragraph.
    assert hit.citation.locator == "p. 2 ¶2"
    assert library.briefs["coast"].standfirst.startswith("Pacific states face rising seas")
    assert library.briefs["coast"].title == "Pacific coastal finance"
    texts = " ".join(p.text for p in library.passages)
    assert "Lowy Institute Analysis" not in texts  # the running header


def test_a_two_column_pdf_drawn_column_by_column_reads_left_then_right(tmp_path):
    (tmp_path / "columns.pdf").write_bytes(two_column_pdf())
    brief = load_brief(tmp_path / "columns.pdf")
    texts = [p.text for p in brief.paragraphs]
    left = next(i for i, t in enumerate(texts) if t.startswith("Left column first"))
    right = next(i for i, t in enumerate(texts) if t.startswith("Right column first"))
    assert left < right


def test_locator_with_and_without_page():
    assert locator(3) == "\u00b63"
    assert locator(3, 2, 5) == "p. 5 \u00b63 (part 2)"
    assert locator(0, 0, 1) == "p. 1 standfirst"


def test_subfolders_are_read_and_every_file_not_indexed_is_listed(tmp_path):
    week = tmp_path / "week1"
    week.mkdir()
    (week / "reading.md").write_text(MARKDOWN, encoding="utf-8")
    (week / "reading.yaml").write_text("title: Week one\n", encoding="utf-8")
    (week / "slides.pptx").write_bytes(b"PK")
    (week / "scan.pdf").write_bytes(b"not a pdf")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "secret.txt").write_text("Secret\n\nHidden text.\n", encoding="utf-8")
    (tmp_path / "seed.txt").write_bytes(SEED_TEXT.read_bytes())
    names = list(seed_sources(tmp_path))
    assert names == [
        "seed.txt",
        "week1/reading.md",
        "week1/reading.yaml",
        "week1/scan.pdf",
        "week1/slides.pptx",
    ]
    library = build_index(tmp_path, IndexSettings())
    assert set(library.briefs) == {"seed", "week1/reading"}
    assert library.briefs["week1/reading"].title == "Week one"
    skipped = {s.file: s.reason for s in library.skipped}
    assert skipped["week1/slides.pptx"].startswith("not a brief")
    assert skipped["week1/scan.pdf"].startswith("it is not a PDF")
    again = build_index(tmp_path, IndexSettings(), previous=library)
    assert again.passages == library.passages


def test_the_seed_parses_to_the_same_eight_paragraphs():
    brief = load_brief(SEED_TEXT)
    assert len(brief.paragraphs) == 8
    assert all(p.page == 0 for p in brief.paragraphs)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", "a"), ("week1/b.md", "week1/b"), ("c.tar.gz", "c.tar"), ("noext", "noext")],
)
def test_brief_ids(name, expected):
    assert brief_id_of(name) == expected
