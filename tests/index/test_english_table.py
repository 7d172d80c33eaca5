"""The table of wordfreq's values (index/english_zipf.txt) says what wordfreq says, for every
word index/english.py asks about, without loading wordfreq."""

from __future__ import annotations

import random
import re
import string

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from index import english
from index.english_table import FLOOR, TABLE_PATH, common_zipf, table_bytes, table_text


def test_the_table_is_the_one_the_installed_wordfreq_makes():
    shipped = TABLE_PATH.read_text(encoding="utf-8")
    assert shipped == table_text(), "run: python -m index.english_table > index/english_zipf.txt"


def test_its_floor_is_the_english_word_line():
    assert FLOOR == english.ENGLISH_WORD and FLOOR <= english.RARE


def table() -> dict[str, float]:
    """The shipped table, read whole."""
    values: dict[str, float] = {}
    for line in table_bytes().decode().splitlines():
        word, value = line.split()
        values[word] = float(value)
    return values


def test_the_table_holds_wordfreqs_value_of_every_word_from_the_floor_up():
    shipped = table()
    for word in get_frequency_dict("en", wordlist="best"):
        if re.fullmatch("[a-z]+", word) is None:
            continue  # not letters a-z: english.py asks wordfreq
        real = zipf_frequency(word, "en")
        assert shipped.get(word, 0.0) == (real if real >= FLOOR else 0.0), word


def test_a_lookup_finds_what_the_table_holds():
    shipped = table()
    rng = random.Random(5)
    words = rng.sample(sorted(shipped), 2000)
    words += [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 12))) for _ in range(500)
    ]
    words += ["santions", "shoygu", "the", "a", "zzz", "abattoir", "tions"]
    for word in words:
        assert common_zipf(word) == shipped.get(word, 0.0), word
        real = zipf_frequency(word, "en")
        assert common_zipf(word) == real if real >= FLOOR else common_zipf(word) < FLOOR
    for other in ("kim's", "long-range", "Korea", "2019", "café", ""):
        assert common_zipf(other) is None


@pytest.mark.parametrize("word", ["capital", "armistice", "santions", "kim's", "2019", "vying"])
def test_english_answers_as_with_wordfreq_alone(word):
    real = english.zipf(word)
    assert english.is_english_word(word) == (real >= english.ENGLISH_WORD)
    expected = min(1.0, max(0.0, (english.COMMON - real) / (english.COMMON - english.RARE)))
    assert english.rarity(word) == expected
