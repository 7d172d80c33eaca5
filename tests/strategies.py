"""Hypothesis strategies for questions as users type them in Discord or a terminal."""

from __future__ import annotations

from hypothesis import strategies as st

from index.limits import MAX_QUESTION_CHARS

# Pieces users (or pranksters) put in Discord messages.
DISCORD_PIECES = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#123456789012345678>",
    "</ask:123456789012345678>",
    "<:kek:123456789012345678>",
    "<a:dance:123456789012345678>",
    "<t:1700000000:R>",
    "```",
    "```py\nprint('hi')\n```",
    "`code`",
    "**bold**",
    "__under__",
    "*it*",
    "~~gone~~",
    "||spoiler||",
    "> quote",
    ">>> block",
    "# Heading",
    "-# small",
    "[link](https://example.com)",
    "https://discord.gg/invite",
    "\\",
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202b",  # right-to-left embedding
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u061c",  # Arabic letter mark
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\U0001f1f0\U0001f1f5",  # flag: regional indicators
    "\U0001f469\u200d\U0001f4bb",  # emoji ZWJ sequence
    "\U0001f44d\U0001f3fd",  # emoji with skin tone
    "e\u0301",  # combining accent
    "\ufdfd",  # one character NFKC expands to many
    "\u2163",  # Roman numeral four
    "\uff2b\uff49\uff4d",  # full-width "Kim"
    "\u00a0",
    "1,350",
    "1\u202f350",
    "Kim",
    "Jong-un",
    "China",
    "border",
    "?",
    " ",
    "\n",
    "\t",
    "\x00",
    "\ud800",  # a lone surrogate: cannot come from Discord, can from a caller
]

PIECES = st.sampled_from(DISCORD_PIECES)
QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(blacklist_categories=()), max_size=100),  # surrogates included
    st.lists(st.one_of(PIECES, st.text(max_size=10)), max_size=40).map("".join),
    # Lengths around the limit, built by repeating a short piece.
    st.builds(
        lambda piece, n: (piece * (n // len(piece) + 1))[:n],
        st.one_of(PIECES, st.text(min_size=1, max_size=30)),
        st.integers(MAX_QUESTION_CHARS - 10, MAX_QUESTION_CHARS + 10),
    ),
)
