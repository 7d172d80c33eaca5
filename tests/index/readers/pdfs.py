"""PDFs made by the tests with fpdf2: nothing binary is shipped in the repository."""

from __future__ import annotations

import datetime

from fpdf import FPDF

HEADER = "Lowy Institute Analysis"
LINE = 14  # points between lines
GAP = 2 * LINE  # a blank line between paragraphs

# Pages of (x, lines...) paragraphs; a paragraph continued on the next page has no end stop.
SIMPLE_PAGES = [
    [
        [
            "Pacific states face rising seas and the cost of",
            "defending their coasts falls on small budgets.",
        ],
        [
            "The Fijian govern-",
            "ment has published a long-",
            "term plan for sea walls, and the plan depends",
            "on grants that donors have promised but not yet",
        ],
    ],
    [
        [
            "paid, so work on the first walls has not started.",
        ],
        [
            "Critics say loans would add to debt at a time when",
            "several island states already face distress.",
        ],
    ],
    [
        [
            "Grants should come first, and they should fund",
            "local engineers rather than foreign contractors.",
        ],
    ],
]


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    pdf.set_creation_date(datetime.datetime(2024, 3, 5, 9, 30, tzinfo=datetime.UTC))
    return pdf


def _write(pdf: FPDF, x: float, y: float, text: str) -> None:
    pdf.set_xy(x, y)
    pdf.cell(0, 12, text)


def simple_pdf(*, title: str | None = "Pacific coastal finance") -> bytes:
    """Three pages: a running header, page numbers at the foot, a paragraph across a page break."""
    pdf = _pdf()
    if title:
        pdf.set_title(title)
    pdf.set_author("Jane Doe")
    for number, paragraphs in enumerate(SIMPLE_PAGES, start=1):
        pdf.add_page()
        _write(pdf, 72, 40, HEADER)
        y = 100.0
        for lines in paragraphs:
            for line in lines:
                _write(pdf, 72, y, line)
                y += LINE
            y += GAP - LINE
        _write(pdf, 290, 800, str(number))
    return bytes(pdf.output())


LEFT = [
    "Left column first paragraph starts",
    "here and wraps onto a second line.",
    "",
    "Left column second paragraph is",
    "short.",
]
RIGHT = [
    "Right column first paragraph sits",
    "beside the left one on the page.",
    "",
    "Right column last paragraph ends",
    "the page.",
]


def two_column_pdf(*, by_rows: bool = False) -> bytes:
    """One page in two columns; drawn column by column, or row by row across both columns."""
    pdf = _pdf()
    pdf.add_page()
    _write(pdf, 72, 60, "Two column brief")
    rows = list(enumerate(zip(LEFT, RIGHT, strict=True)))
    draws: list[tuple[float, float, str]] = []
    if by_rows:
        for i, (left, right) in rows:
            draws += [(60, 100 + i * LINE, left), (310, 100 + i * LINE, right)]
    else:
        draws += [(60, 100 + i * LINE, left) for i, (left, _) in rows]
        draws += [(310, 100 + i * LINE, right) for i, (_, right) in rows]
    for x, y, text in draws:
        if text:
            _write(pdf, x, y, text)
    return bytes(pdf.output())
