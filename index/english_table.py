"""wordfreq's Zipf values of the English words a question may lack, without loading wordfreq.

Importing wordfreq and reading its English list costs about 0.2 s of CPU, more than the
rest of a `briefbot ask`, and a question pays it whenever one of its words is not in the
briefs ("What is the capital of France?"). What index/english.py asks of those values is
whether a word reaches 2.5 (an English word, not a typo), and the exact value from 3.0 up
(how rare it is). So the data file index/english_zipf.txt holds, for every word of
lowercase ASCII letters at or above 2.5, wordfreq's value ("word 3.21" a line, words
sorted), read once: a lookup bisects its bytes, about 17 lines read for 51,000 words
(a bytes.find of the whole file took 250 us). A word of such letters that is not there
is below 2.5; any other word goes to wordfreq itself.

    python -m index.english_table > index/english_zipf.txt   # after a wordfreq upgrade

tests/index/test_english_table.py checks the table against the wordfreq installed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

# Words below this are not in the table (index/english.py's ENGLISH_WORD).
FLOOR = 2.5
_LETTERS = re.compile(r"[a-z]+")
TABLE_PATH = Path(__file__).with_name("english_zipf.txt")


@cache
def table_bytes() -> bytes:
    """The shipped table (index/english_zipf.txt), read on first need."""
    return TABLE_PATH.read_bytes()


def common_zipf(word: str) -> float | None:
    """wordfreq's Zipf value of `word` when it is at least FLOOR; 0.0 for a word of
    lowercase ASCII letters below it; None for any other word (ask wordfreq)."""
    if _LETTERS.fullmatch(word) is None:
        return None
    table, key = table_bytes(), word.encode()
    lo, hi = 0, len(table)  # the word's line, if any, lies in table[lo:hi], whole lines
    while lo < hi:
        mid = (lo + hi) // 2
        start = table.rfind(b"\n", 0, mid) + 1
        end = table.index(b"\n", start)
        found, _, value = table[start:end].partition(b" ")
        if found == key:
            return float(value)
        if found < key:
            lo = end + 1
        else:
            hi = start
    return 0.0


def table_lines() -> list[str]:
    """The table from the wordfreq installed: "word 3.21" a line, sorted (a space sorts
    before every letter, so the lines sort as their words do)."""
    from wordfreq import get_frequency_dict, zipf_frequency

    lines = []
    for word in get_frequency_dict("en", wordlist="best"):
        if _LETTERS.fullmatch(word):
            value = zipf_frequency(word, "en")
            if value >= FLOOR:
                lines.append(f"{word} {value:.2f}")
    return sorted(lines)


def table_text() -> str:
    """The contents of index/english_zipf.txt, from the wordfreq installed."""
    return "\n".join(table_lines()) + "\n"


if __name__ == "__main__":
    print(table_text(), end="")
