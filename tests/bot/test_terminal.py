"""Text printed to a terminal carries no escape sequences, controls or bidi overrides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.terminal import REPLACEMENT, clean

FORBIDDEN = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}

PIECES = [
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b[?1049h",
    "\x1b]8;;https://evil.example\x07",
    "\x1b]8;;\x1b\\",
    "\x1b]0;title\x07",
    "\x1bP1$r\x1b\\",
    "\x1b(B",
    "\x1bc",
    "\x9b31m",
    "\x9d8;;x\x9c",
    "\x07",
    "\x08",
    "\r",
    "\r\n",
    "\x00",
    "\x7f",
    "\u202e",
    "\u2066",
    "\u2069",
    "\x1b",
    "\x1b[",
    "\x1b]",
    "text",
    " ",
    "\n",
    "\t",
    "é",
    "שלום",
]


@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map("".join))
def test_output_has_no_escape_control_or_bidi_character(text):
    out = clean(text)
    assert not (set(out) & (FORBIDDEN | BIDI))
    assert clean(out) == out


@given(st.text(alphabet=st.characters(blacklist_characters=sorted(FORBIDDEN | BIDI))))
def test_plain_text_is_unchanged(text):
    assert clean(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("see \x1b]8;;https://evil.example\x07this link\x1b]8;;\x07 here", "see this link here"),
        ("\x1b]0;pwned\x07title", "title"),
        ("abc\u202edcba", "abcdcba"),
        ("line\r\nnext", "line\nnext"),
        ("bell\x07", f"bell{REPLACEMENT}"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_examples(text, shown):
    assert clean(text) == shown
