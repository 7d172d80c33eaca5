"""Markdown renders to the plain text a reader sees."""

from __future__ import annotations

import pytest

from index.readers import Block, read_bytes


def md(text: str):
    return read_bytes(text.encode("utf-8"), ".md")


def texts(text: str) -> list[str]:
    return [b.text for b in md(text).blocks]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"Fiji's \*new\* coastal plan", "Fiji's *new* coastal plan"),
        ("Fiji's *new* coastal plan", "Fiji's new coastal plan"),
        ("Fiji's **new** _coastal_ plan", "Fiji's new coastal plan"),
        ("See [the plan](https://example.org/plan) now", "See the plan now"),
        ("Run `briefbot ask` here", "Run briefbot ask here"),
        ("Fish &amp; chips", "Fish & chips"),
        ("Old ~~plan~~ idea", "Old plan idea"),
        ("wrapped\nline", "wrapped line"),
        ("hard  \nbreak", "hard break"),
        ("Seas rose<sup>1</sup> fast", "Seas rose1 fast"),
        ("Before ![a map](map.png) after", "Before after"),
        ("Quotes “stay” as -- written", "Quotes “stay” as -- written"),
    ],
)
def test_inline_markup_becomes_plain_text(source, expected):
    assert texts(source) == [expected]


def test_first_h1_is_the_title_and_other_headings_are_sections():
    doc = md("# The title\n\nIntro.\n\n## Funding\n\nMoney.\n\n# Second h1\n\nMore.\n")
    assert doc.title == "The title"
    assert doc.blocks == (
        Block("Intro."),
        Block("Money.", section="Funding"),
        Block("More.", section="Second h1"),
    )


def test_no_h1_means_no_title():
    doc = md("## Only a section\n\nText.\n")
    assert doc.title is None
    assert doc.blocks == (Block("Text.", section="Only a section"),)


def test_each_list_item_is_a_block_without_its_marker():
    assert texts("Lead in:\n\n- one *a*\n- two\n  1. nested\n\n3. three\n") == [
        "Lead in:",
        "one a",
        "two",
        "nested",
        "three",
    ]


def test_blockquote_code_and_table():
    source = "> quoted\n> text\n\n    indented code\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert texts(source) == ["quoted text", "indented code", "a | b", "1 | 2"]


def test_images_and_html_blocks_are_dropped_and_counted():
    doc = md("![a](a.png)\n\nText ![b](b.png) here.\n\n<div>nav</div>\n")
    assert [b.text for b in doc.blocks] == ["Text here."]
    assert doc.dropped == ("2 images", "1 HTML block")


def test_crlf_and_bom():
    doc = read_bytes("\ufeff# T\r\n\r\nOne\r\ntwo\r\n".encode(), ".md")
    assert doc.title == "T"
    assert [b.text for b in doc.blocks] == ["One two"]
