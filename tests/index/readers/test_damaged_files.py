"""Damaged files: a brief file changed at random is read or refused with a reason
(UnsupportedDocument), never anything else. Mutating the test documents this way found
three escapes (pypdf's errors from a damaged info dictionary and from an unknown stream
filter, urllib's from a link with an unclosed IPv6 host)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.readers import UnsupportedDocument, read_bytes
from tests.index.readers.pdfs import simple_pdf, two_column_pdf
from tests.index.readers.test_html import FULL_HEAD, page

MARKDOWN = b"# Title\n\nA paragraph with *emphasis* and a [link](http://x.y).\n\n- one\n- two\n"


@pytest.fixture(scope="module")
def documents() -> dict[str, list[bytes]]:
    return {
        ".pdf": [simple_pdf(), two_column_pdf()],
        ".html": [page(FULL_HEAD)],
        ".md": [MARKDOWN],
    }


@st.composite
def edits(draw: st.DrawFn, size: int) -> list[tuple[str, int, bytes]]:
    """A few edits of a file of `size` bytes: a flipped bit, bytes replaced, cut or inserted."""
    position = st.integers(0, max(size - 1, 0))
    edit = st.one_of(
        st.tuples(st.just("flip"), position, st.sampled_from([bytes([1 << b]) for b in range(8)])),
        st.tuples(st.just("put"), position, st.binary(min_size=1, max_size=8)),
        st.tuples(st.just("cut"), position, st.binary(max_size=0)),
        st.tuples(st.just("end"), position, st.binary(max_size=0)),
    )
    return draw(st.lists(edit, min_size=1, max_size=6))


def edited(data: bytes, changes: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, value in changes:
        at = min(at, max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[at] ^= value[0]
        elif kind == "put":
            out[at : at + len(value)] = value
        elif kind == "cut":
            del out[at : at + 16]
        else:
            del out[at:]
    return bytes(out)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_damaged_brief_file_is_read_or_refused(documents, data):
    suffix = data.draw(st.sampled_from(sorted(documents)))
    original = data.draw(st.sampled_from(documents[suffix]))
    damaged = edited(original, data.draw(edits(len(original))))
    try:
        document = read_bytes(damaged, suffix)
    except UnsupportedDocument as refused:
        assert refused.reason  # says why: the build lists it among the skipped files
    else:
        assert document.blocks
