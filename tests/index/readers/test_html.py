"""HTML: trafilatura's main text; metadata only from the page's own tags."""

from __future__ import annotations

import pytest

from index.readers import Block, FigureCaption, read_bytes

BODY = """
<header><div class="logo">The Interpreter</div><p>Published daily by the Lowy Institute</p></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li></ul></nav>
<main><article>
<h1>Pacific climate finance</h1>
<p>In 2023 the government announced a new fund for coastal protection across the Pacific,
with money for sea walls and mangroves.</p>
<figure><img src="a.jpg" alt="Sea wall"><figcaption>A sea wall in Suva (Photo: Wikimedia
Commons)</figcaption></figure>
<h2>Who pays</h2>
<p>Fiji's <em>new</em> coastal plan relies on grants from Australia, Japan and the Green Climate
Fund, and on <a href="/adb">loans</a> from the Asian Development Bank.</p>
<ul><li>First recommendation: fund local engineers for the long term.</li>
<li>Second recommendation: publish every contract online.</li></ul>
<p>Critics say the loans will add to debt at a time when several island states already face
distress, and that grants should come first.</p>
</article></main>
<aside><h3>Related articles</h3><ul><li><a href="/x">Tonga's debt</a></li></ul></aside>
<footer><p>You may also be interested in</p><ul><li><a href="/z">Another article</a></li></ul>
<p>Copyright Lowy Institute 2024</p></footer>
"""


def page(head: str, body: str = BODY) -> bytes:
    head = f'<head><meta charset="utf-8">{head}</head>'
    return f'<!DOCTYPE html>\n<html lang="en">{head}<body>{body}</body></html>'.encode()


FULL_HEAD = """
<title>Pacific climate finance | The Interpreter</title>
<meta property="og:title" content="Pacific climate finance">
<meta property="og:site_name" content="The Interpreter">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-02-01T08:00:00+11:00">
<link rel="canonical" href="https://www.lowyinstitute.org/the-interpreter/pacific-climate-finance">
"""


@pytest.fixture(scope="module")
def full():
    return read_bytes(page(FULL_HEAD), ".html")


def test_main_text_without_chrome(full):
    assert full.blocks == (
        Block(
            "In 2023 the government announced a new fund for coastal protection across the "
            "Pacific, with money for sea walls and mangroves."
        ),
        Block(
            "Fiji's new coastal plan relies on grants from Australia, Japan and the Green Climate "
            "Fund, and on loans from the Asian Development Bank.",
            section="Who pays",
        ),
        Block("First recommendation: fund local engineers for the long term.", section="Who pays"),
        Block("Second recommendation: publish every contract online.", section="Who pays"),
        Block(
            "Critics say the loans will add to debt at a time when several island states already "
            "face distress, and that grants should come first.",
            section="Who pays",
        ),
    )
    # The figure's caption is kept apart (test_figure_captions...), not dropped.
    assert full.dropped == ("header", "nav", "aside", "footer")


def test_metadata_from_the_page_tags(full):
    assert full.title == "Pacific climate finance"
    assert full.author == "Jane Doe"
    assert full.date == "2024-02-01"
    assert full.url == "https://www.lowyinstitute.org/the-interpreter/pacific-climate-finance"
    assert full.publisher == "The Interpreter"


def test_no_date_is_guessed_from_the_body():
    """The body says 'In 2023' and the footer '2024'; the page declares no date."""
    doc = read_bytes(page("<title>Pacific climate finance</title>"), ".html")
    assert doc.date is None
    assert (doc.title, doc.author, doc.url, doc.publisher) == (
        "Pacific climate finance",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("head", "field", "expected"),
    [
        ('<meta name="date" content="2023/08/15">', "date", "2023-08-15"),
        ('<meta name="DC.date" content="15 August 2023">', "date", "15 August 2023"),
        ('<meta property="article:author" content="https://x.org/jane">', "author", None),
        ('<meta property="article:author" content="Jane Doe">', "author", "Jane Doe"),
        ('<link rel="canonical" href="/a/b">', "url", "https://example.org/a/b"),
        ('<link rel="canonical" href="javascript:alert(1)">', "url", "https://example.org/page"),
        (
            '<meta property="og:url" content="https://example.org/og">',
            "url",
            "https://example.org/og",
        ),
    ],
)
def test_metadata_variants(head, field, expected):
    doc = read_bytes(page(f"<title>T</title>{head}"), ".html", url="https://example.org/page")
    assert getattr(doc, field) == expected


def test_relative_canonical_without_a_base_is_ignored():
    assert read_bytes(page('<link rel="canonical" href="/a/b">'), ".html").url is None


def test_a_link_urllib_refuses_is_skipped_not_raised():
    # Found by mutating a test page: "http://[" is an unclosed IPv6 host, and urlsplit's
    # ValueError escaped the reader. The next candidate (og:url) is used instead.
    head = (
        '<link rel="canonical" href="http://[::1/a">'
        '<meta property="og:url" content="https://example.org/og">'
    )
    assert read_bytes(page(head), ".html").url == "https://example.org/og"
    # A base the links cannot be joined to: each link is skipped, the base is kept.
    assert read_bytes(page(head), ".html", url="http://[bad").url == "http://[bad"


def test_declared_charset_is_used():
    html = page("<title>Caf\u00e9</title>").replace(b'charset="utf-8"', b'charset="iso-8859-1"')
    doc = read_bytes(html.decode("utf-8").encode("latin-1"), ".html")
    assert doc.title == "Caf\u00e9"


def test_reader_libraries_are_imported_lazily():
    import subprocess
    import sys

    libraries = ("trafilatura", "pypdf", "markdown_it")
    code = f"import index.readers, sys; print(*(m in sys.modules for m in {libraries!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_figure_captions_are_kept_apart_before_the_block_that_follows(full):
    assert full.captions == (FigureCaption("A sea wall in Suva (Photo: Wikimedia Commons)", 1),)


CAPTIONED = """
<header><figure><img src="logo.png"><figcaption>The Interpreter masthead logo</figcaption>
</figure></header>
<main><article><h1>Seawalls</h1>
<figure><img src="top.jpg"><figcaption>Villagers rebuild the sea wall at Togoru, Fiji
</figcaption></figure>
<p>Fiji has moved forty-two villages inland since 2012, and plans to move many more as the
sea rises faster than the government expected when it drew up its first relocation plan.</p>
<p>Each move is paid for by a trust fund that takes a levy on departure taxes, topped up by
grants from New Zealand and Germany, and it is run by a board of villagers and officials.</p>
<figure><img src="b.jpg"><figcaption>Villagers rebuild the sea wall at Togoru, Fiji
</figcaption></figure>
<p>Critics say the levy is far too small for the eighty villages still at risk, and that the
fund will run dry within a decade unless the large emitters pay into it as well.</p>
<figure><img src="c.jpg"><figcaption>A map of the villages moved so far</figcaption></figure>
</article></main>
"""


def test_each_caption_once_in_its_place_and_none_from_chrome():
    doc = read_bytes(page("<title>Seawalls</title>", CAPTIONED), ".html")
    assert [b.text[:10] for b in doc.blocks] == ["Fiji has m", "Each move ", "Critics sa"]
    assert doc.captions == (
        FigureCaption("Villagers rebuild the sea wall at Togoru, Fiji", 0),
        FigureCaption("A map of the villages moved so far", 3),
    )
