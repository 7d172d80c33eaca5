"""Make text safe to print to a terminal: briefs, titles and file names are not ours.

A brief can hold escape sequences that recolour or clear the screen, rewrite the
window title, hide a link behind innocent text (OSC 8), or bidi overrides that
show characters in another order than they are stored. `clean` removes escape
sequences and bidi controls and shows any other control character as U+FFFD.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# String sequences (OSC, DCS, SOS, PM, APC) up to their terminator: BEL, ESC \ or ST.
_STRING = re.compile(r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)")
# Control sequences: CSI (ESC [ or the one-byte \x9b), parameters, intermediates, final byte.
_CSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]")
# Any other escape: ESC, intermediates, then one final byte.
_ESCAPE = re.compile(r"\x1b[ -/]*[0-~]")
# Bidi embeddings, overrides and isolates: they reorder what the terminal shows.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What is left of the controls: C0 but tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` without escape sequences or bidi controls; other controls shown as U+FFFD."""
    text = text.replace("\r\n", "\n")
    text = _STRING.sub("", text)
    text = _CSI.sub("", text)
    text = _ESCAPE.sub("", text)
    text = _BIDI.sub("", text)
    return _CONTROL.sub(REPLACEMENT, text)
