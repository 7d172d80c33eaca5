"""PDF: paragraphs rebuilt from lines, running chrome dropped, page numbers kept per block."""

from __future__ import annotations

import pytest

from index.readers import Block, read_bytes
from tests.index.readers.pdfs import simple_pdf, two_column_pdf


@pytest.fixture(scope="module")
def simple():
    return read_bytes(simple_pdf(), ".pdf")


def test_paragraphs_pages_and_mended_line_breaks(simple):
    assert simple.blocks == (
        Block(
            "Pacific states face rising seas and the cost of defending their coasts falls on "
            "small budgets.",
            page=1,
        ),
        # Across the page break, "govern-/ment" mended, "long-/term" keeps its hyphen.
        Block(
            "The Fijian government has published a long-term plan for sea walls, and the plan "
            "depends on grants that donors have promised but not yet paid, so work on the first "
            "walls has not started.",
            page=1,
        ),
        Block(
            "Critics say loans would add to debt at a time when several island states already "
            "face distress.",
            page=2,
        ),
        Block(
            "Grants should come first, and they should fund local engineers rather than foreign "
            "contractors.",
            page=3,
        ),
    )


def test_running_header_and_page_numbers_are_dropped(simple):
    assert simple.dropped == (
        "running header 'Lowy Institute Analysis' on 3 pages",
        "page numbers",
    )
    assert not any("Lowy" in b.text for b in simple.blocks)


def test_metadata_from_the_info_dictionary(simple):
    assert simple.title == "Pacific coastal finance"
    assert (simple.author, simple.date) == ("Jane Doe", "2024-03-05")
    assert (simple.url, simple.publisher) == (None, None)


@pytest.mark.parametrize("title", ["Microsoft Word - draft3.docx", "brief-final.pdf", None])
def test_file_names_are_not_titles(title):
    assert read_bytes(simple_pdf(title=title), ".pdf").title is None


def test_two_columns_drawn_column_by_column_read_in_order():
    doc = read_bytes(two_column_pdf(), ".pdf")
    assert [b.text for b in doc.blocks] == [
        "Two column brief",
        "Left column first paragraph starts here and wraps onto a second line.",
        "Left column second paragraph is short.",
        "Right column first paragraph sits beside the left one on the page.",
        "Right column last paragraph ends the page.",
    ]


def test_two_columns_drawn_row_by_row_are_interleaved():
    """A known limit (docs/formats.md): pypdf joins what is drawn on one baseline across the gap."""
    doc = read_bytes(two_column_pdf(by_rows=True), ".pdf")
    assert doc.blocks[1].text == (
        "Left column first paragraph starts Right column first paragraph sits "
        "here and wraps onto a second line. beside the left one on the page."
    )


def test_a_pdf_without_text_is_no_text():
    from fpdf import FPDF

    from index.readers import UnsupportedDocument

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    with pytest.raises(UnsupportedDocument) as caught:
        read_bytes(bytes(pdf.output()), ".pdf", name="scan.pdf")
    assert (caught.value.reason, caught.value.path) == ("no-text", "scan.pdf")


def test_an_encrypted_pdf_is_refused():
    from fpdf import FPDF

    from index.readers import UnsupportedDocument

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Hidden text.")
    with pytest.raises(UnsupportedDocument) as caught:
        read_bytes(bytes(pdf.output()), ".pdf")
    assert caught.value.reason == "encrypted"


def test_a_damaged_info_dictionary_loses_the_metadata_not_the_text(simple):
    # Found by mutating the test PDFs: pypdf raised its PdfReadError from `metadata`, out
    # of the reader, and `briefbot ask` over a seeds folder holding the file crashed.
    pdf = simple_pdf()
    info_an_array = pdf.replace(b"<<\n/Author", b"[ \n/Author").replace(
        b">>\nendobj\nxref", b"] \nendobj\nxref"
    )
    assert len(info_an_array) == len(pdf)  # the cross-reference offsets still hold
    document = read_bytes(info_an_array, ".pdf")
    assert document.blocks == simple.blocks
    assert (document.title, document.author, document.date) == (None, None, None)


def test_an_unknown_stream_filter_is_a_damaged_pdf():
    # pypdf raises NotImplementedError for a filter it does not know (a flipped letter).
    from index.readers import UnsupportedDocument

    unknown = simple_pdf().replace(b"/FlateDecode", b"/FlateDecodX", 1)
    with pytest.raises(UnsupportedDocument) as caught:
        read_bytes(unknown, ".pdf")
    assert caught.value.reason == "damaged-pdf"
