"""Plain text and the checks that a file's bytes match its extension."""

from __future__ import annotations

import pytest

from index.readers import Block, UnsupportedDocument, read_bytes, read_document


def test_txt_blocks_split_on_blank_lines_without_a_title():
    doc = read_bytes(b"Title line\n\nFirst  para\nwraps.\n \nSecond.\n", ".txt")
    assert doc.title is None
    assert doc.blocks == (Block("Title line"), Block("First para wraps."), Block("Second."))


def test_markup_in_txt_is_kept_verbatim():
    assert read_bytes(rb"Fiji's \*new\* plan", ".txt").blocks[0].text == r"Fiji's \*new\* plan"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.txt", b"text\x00more", "binary"),
        ("a.md", b"caf\xe9 au lait", "not-utf8"),
        ("a.txt", b"   \n\n", "empty"),
        ("a.md", b"", "empty"),
        ("a.pdf", b"<html><body><p>Not a PDF</p></body></html>", "not-pdf"),
        ("a.pdf", b"%PDF-1.7\nthis is no pdf at all", "damaged-pdf"),
        ("a.html", b"Just some words, no markup at all.", "not-html"),
        ("a.html", b"%PDF-1.4\n<p>binary</p>\x00\x01", "not-html"),
        ("a.htm", b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00", "not-html"),
        ("a.docx", b"PK\x03\x04", "unknown-suffix"),
        ("a", b"text", "unknown-suffix"),
        ("a.md", b"![only an image](a.png)\n", "no-text"),
    ],
)
def test_content_must_match_the_extension(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnsupportedDocument) as caught:
        read_document(path)
    assert caught.value.reason == reason
    assert caught.value.path == str(path)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(UnsupportedDocument) as caught:
        read_document(tmp_path / "gone.md")
    assert caught.value.reason == "unreadable"


def test_suffix_is_case_insensitive_and_url_fills_in(tmp_path):
    path = tmp_path / "Brief.MD"
    path.write_text("# T\n\nBody.\n", encoding="utf-8")
    doc = read_document(path, url="https://example.org/brief")
    assert (doc.title, doc.url) == ("T", "https://example.org/brief")


def test_the_seed_brief_reads_as_text():
    from tests.conftest import SEED_TEXT

    doc = read_document(SEED_TEXT)
    assert doc.blocks[0].text == "Published daily by the Lowy Institute"
    assert len(doc.blocks) > 10
