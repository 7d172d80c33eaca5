"""Reading the real seed: title, standfirst, 8 body paragraphs, no chrome."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.brief import (
    _NON_WORD,
    _PULL_QUOTE_MAX_WORDS,
    _Block,
    _key,
    _pull_quotes,
    parse_brief,
    read_metadata,
)
from index.brief_formats import load_brief
from index.errors import UnreadableBrief
from index.safe_files import inside
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


def test_each_caption_once_word_for_word_before_its_paragraph(brief):
    """The page prints each caption twice: kept once, as printed, with the body paragraph
    it stands before (the second before the last three paragraphs)."""
    source = SEED_TEXT.read_text(encoding="utf-8")
    assert [(c.text[:40], c.before) for c in brief.captions] == [
        ("Russian Defence Minister Sergei Shoigu i", 1),
        ("Signing Sino-North Korean Mutual Aid and", 6),
    ]
    for caption in brief.captions:
        assert source[caption.start : caption.end] == caption.text
        assert source.count(caption.text) == 2
    assert brief.captions[1].text.endswith("11 July 1961 (Wikimedia Commons)")
    assert brief.dropped == ()


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


KIRIBATI = (
    "# Title\n\nFirst paragraph: Kiribati switched recognition from Taipei in 2019.\n\n"
    "Second paragraph: Solomon Islands did the same that year.\n\n"
    "Third paragraph: Nauru followed in 2024.\n"
)


def test_a_first_paragraph_as_short_as_the_rest_is_not_a_standfirst():
    brief = parse_brief(KIRIBATI, "kiribati", markdown=True)
    assert brief.title == "Title"
    assert brief.standfirst == ""
    assert [p.text.split(":")[0] for p in brief.paragraphs] == [
        "First paragraph",
        "Second paragraph",
        "Third paragraph",
    ]
    assert [p.number for p in brief.paragraphs] == [1, 2, 3]


def test_seed_standfirst_is_located_in_the_source(brief):
    source = SEED_TEXT.read_text(encoding="utf-8")
    start = brief.standfirst_start
    assert source[start : start + len(brief.standfirst)] == brief.standfirst


def test_pull_quote_check_is_linear_in_the_number_of_paragraphs():
    # 50,000 short paragraphs took minutes with the all-pairs check (pytest's 60 s
    # timeout fails it); with the word-run lookup it is well under a second.
    body = [f"Paragraph {i} notes tariff number {i * 7} on item {i}." for i in range(50_000)]
    quote = "tariff number 70 on item 10"
    text = "Title\n\n" + "\n\n".join([*body[:5], quote, *body[5:]]) + "\n"
    brief = parse_brief(text, "many")
    assert len(brief.paragraphs) + bool(brief.standfirst) == 50_000
    assert all(p.text != quote for p in brief.paragraphs)


def test_a_repeated_paragraph_is_not_a_pull_quote_of_itself():
    text = "Title\n\nA longer different paragraph.\n\nSame words here.\n\nSame words here.\n"
    assert [p.text for p in parse_brief(text, "d").paragraphs] == [
        "A longer different paragraph.",
        "Same words here.",
        "Same words here.",
    ]


def test_links_out_of_the_seeds_folder_are_not_read(seeds_dir, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret\n\nA private paragraph about passwords.\n", encoding="utf-8")
    (seeds_dir / "x.txt").symlink_to(outside)
    (seeds_dir / "inner.txt").symlink_to(seeds_dir / f"{SEED_TEXT.stem}.txt")
    with pytest.raises(UnreadableBrief, match="outside the seeds folder"):
        load_brief(seeds_dir / "x.txt")
    assert load_brief(seeds_dir / "inner.txt").paragraphs  # a link inside is fine
    (seeds_dir / "y.txt").write_text("Y\n\nBody about ports.\n", encoding="utf-8")
    (seeds_dir / "y.yaml").symlink_to(outside)
    with pytest.raises(UnreadableBrief, match="outside the seeds folder"):
        read_metadata(seeds_dir / "y.yaml")


def test_fifo_and_device_briefs_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableBrief, match="not a regular file"):
        load_brief(fifo)
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with pytest.raises(UnreadableBrief, match="outside the seeds folder"):
        load_brief(tmp_path / "zero.txt")


def test_inside(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a", encoding="utf-8")
    (root / "out").symlink_to(tmp_path)
    (root / "loop").symlink_to(root / "loop")
    assert inside(root / "a.txt", root)
    assert inside(root / "sub", root)
    assert not inside(root / "out", root)
    assert not inside(root / "out" / "root" / "a.txt", root / "sub")
    assert not inside(root / "loop", root)
    assert not inside(root / "missing", root)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ9_ -,.'\n\t\x1f\u00e9\u2019")), max_size=40))
def test_repeat_keys_read_ascii_and_other_text_alike(text):
    """_key's str-method path for ASCII text gives what its regex gives any text."""
    from index.tokenize import normalize

    assert _key(text) == _NON_WORD.sub(" ", normalize(text).casefold()).strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["war", "peace", "Kim", "said", "it"]), max_size=9)))
def test_pull_quotes_are_the_short_blocks_another_block_says_word_for_word(texts):
    """_pull_quotes against the plain quadratic search it replaces."""
    blocks = [_Block(0, 0, (" ".join(words),)) for words in texts]
    words = [tuple(_key(b.text).split()) for b in blocks]

    def quoted(run: tuple[str, ...]) -> bool:
        return any(
            len(run) < len(w) and any(w[s : s + len(run)] == run for s in range(len(w)))
            for w in words
        )

    want = {i for i, w in enumerate(words) if 0 < len(w) <= _PULL_QUOTE_MAX_WORDS and quoted(w)}
    assert _pull_quotes(blocks) == want
