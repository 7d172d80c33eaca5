"""Reading the real seed: title, standfirst, 8 body paragraphs, no chrome."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.brief import load_brief, parse_brief, read_metadata
from index.errors import UnreadableBrief
from tests.conftest import SEED_TEXT


@pytest.fixture(scope="module")
def brief():
    return load_brief(SEED_TEXT, read_metadata(SEED_TEXT.with_suffix(".yaml")))


def test_title_and_standfirst(brief):
    assert brief.title == "Can North Korea play off Russia against China?"
    assert brief.standfirst.startswith("Pyongyang might have designs")
    assert brief.publisher == "The Interpreter, Lowy Institute"
    assert brief.url is None and brief.author is None and brief.date is None


def test_eight_body_paragraphs_in_reading_order(brief):
    firsts = [p.text.split()[0] for p in brief.paragraphs]
    assert firsts == [
        "Flanking",
        "Hosting",
        "Younger",
        "Even",
        "Still,",
        "But",
        "Importantly,",
        "Kim",
    ]
    assert [p.number for p in brief.paragraphs] == list(range(1, 9))


def test_spans_point_into_the_source(brief):
    source = SEED_TEXT.read_text(encoding="utf-8")
    for paragraph in brief.paragraphs:
        assert source[paragraph.start : paragraph.end] == paragraph.text


@pytest.mark.parametrize(
    "chrome",
    [
        "Published daily by the Lowy Institute",
        "You may also be interested",
        "Wikimedia Commons",
        "Signing Sino-North Korean Mutual Aid",
    ],
)
def test_no_chrome_or_caption_in_the_body(brief, chrome):
    assert not any(chrome in p.text for p in brief.paragraphs)


def test_captions_kept_once(brief):
    assert len(brief.captions) == 2
    assert len(set(brief.captions)) == 2


def test_pull_quote_is_not_a_body_paragraph(brief):
    pull = "Kim Jong-un will not have it easy like his grandfather did."
    assert [p.number for p in brief.paragraphs if pull in p.text] == [6]
    assert all(p.text != pull for p in brief.paragraphs)


def test_brief_without_metadata_takes_title_from_text(tmp_path: Path):
    path = tmp_path / "note.txt"
    body = ["Body one, longer than the standfirst.", "Body two, also longer than it."]
    path.write_text("A title\n\nA short standfirst.\n\n" + "\n\n".join(body), encoding="utf-8")
    brief = load_brief(path)
    assert brief.title == "A title"
    assert brief.standfirst == "A short standfirst."
    assert brief.publisher is None
    assert [p.text for p in brief.paragraphs] == body


def test_markdown_heading_is_the_title():
    text = "# The title\n\nOne body paragraph that is the only one.\n\n## A section\n\nAnother.\n"
    brief = parse_brief(text, "md", markdown=True)
    assert brief.title == "The title"
    assert "A section" not in [p.text for p in brief.paragraphs]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01binary", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"Only a title", "no body"),
    ],
)
def test_unusable_files_say_why(tmp_path: Path, content: bytes, reason: str):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableBrief, match=reason):
        load_brief(path)
