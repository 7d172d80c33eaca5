"""The one tokenizer: the same function turns passages and questions into BM25 terms.

Why each step: users type `jong un`, `Jong-un` or `jongun`, `1350` or `1,350`,
straight or curly quotes; all must meet the same term in the index.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from itertools import chain
from types import ModuleType

import Stemmer

from index.stopwords import STOPWORDS

_pairs: ModuleType | None
try:  # the compiled pair scan (setup.py); without it, the same pairs found in Python
    import index._pairs as _pairs
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _pairs = None

# Typographic variants folded to their ASCII forms before anything else ("": dropped).
_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}

# Thousands separators between digit groups: 1,350 / 1 350 (NBSP, thin space). The
# separator first, its digit after (a look behind): the engine then skips to each comma
# instead of trying every character, 11 -> 2.7 us on a paragraph of 854 characters.
_DIGIT_GROUP = re.compile(r"[,\u00a0\u202f\u2009](?<=\d.)(?=\d{3}(?!\d))")
_SEPARATOR = re.compile("[\u00a0\u202f\u2009]")
# A word: letters/digits, optionally joined by hyphens or apostrophes.
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# The same for ASCII-only text, where it matches the same words, faster.
_WORD_ASCII = re.compile(r"[^\W_]+(?:['-][^\W_]+)*", re.ASCII)
# Runs of letters and digits: a hyphen or space between them makes two words.
_LETTERS = re.compile(r"[^\W_]+")
# The same runs in ASCII text, found by split once every byte but letters and digits is a
# space (_pair_words deletes the apostrophes first): 3x faster than the regex, and a table
# of bytes 2.5x faster than str.translate's dict.
_ASCII_GAPS = bytes(c if c > 127 or chr(c).isalnum() else 32 for c in range(256))
_POSSESSIVE = re.compile(r"'s$|(?<=s)'$")
# Punctuation a word match never holds, at the edges of a whitespace piece ("word," "(word").
_EDGES = '.,;:!?"()'

_stemmer = Stemmer.Stemmer("english")
# No cache inside PyStemmer: stem() keeps its own, and PyStemmer's costs 1.1 us a miss
# (0.34 us a word without it), most of the time a large build spends stemming new words.
_stemmer.maxCacheSize = 0

# Bump when tokenize() can give other terms for the same text: saved indexes record
# it, and a refresh reuses the tokens of unchanged briefs only under the same version.
TOKENIZER_VERSION = 2


def normalize(text: str) -> str:
    """Unicode-normalise and fold quotes, dashes and digit-group separators (case kept)."""
    # Each step is skipped when it cannot change anything: this runs on every passage.
    ascii_only = text.isascii()
    # Digit groups before NFKC, which turns a narrow no-break space into a plain one.
    if "," in text or (not ascii_only and _SEPARATOR.search(text)):
        text = _DIGIT_GROUP.sub("", text)
    if not ascii_only:
        text = _folded(unicodedata.normalize("NFKC", text))
    return text


def _folded(text: str) -> str:
    """`text` with _FOLD's characters replaced: one str.replace for each character it holds.
    str.translate looks every character of a non-ASCII text up in a dict: 46 us for a
    paragraph of 854 characters against 0.9 us, and normalising was half of reading briefs.
    A text holding none costs 22 scans in C, less than a regex search for any of them."""
    for variant, plain in _FOLD.items():
        if variant in text:
            text = text.replace(variant, plain)
    return text


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """Stem one case-folded word with the Snowball English stemmer."""
    return str(_stemmer.stemWord(word))


def _keep(word: str, original: str) -> bool:
    # An all-capitals acronym (US, IT) is a name, not a stopword.
    if len(original) > 1 and original.isupper():
        return True
    return word not in STOPWORDS


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of `text` in order, and apart from them the joined forms of its
    hyphenated words (`Jong-un` gives `jong`, `un`, and `jongun` apart)."""
    out: list[str] = []
    joined: list[str] = []
    # The hot loop of building a large index: regexes only for the rare words that need them.
    for original in _WORD.findall(normalize(text)):
        if "'" in original:
            original = _POSSESSIVE.sub("", original)
            word = original.casefold().replace("'", "")
        else:
            word = original.casefold()
        if "-" in word:
            parts = [p for p in word.split("-") if p]
            originals = original.split("-")
            out.extend(p for p, o in zip(parts, originals, strict=False) if _keep(p, o))
            joined.append("".join(parts))
        elif word and (word not in STOPWORDS or (len(original) > 1 and original.isupper())):
            out.append(word)
    return out, joined


def words(text: str) -> list[str]:
    """The case-folded, unstemmed words of `text`, then the joined forms of its
    hyphenated words.

    `Jong-un` gives `jong`, `un` and `jongun`, so every spelling a user may type
    meets it. Joined forms come last so that the words of a name stay next to each
    other: `United States-South Korea` must still read `south korea` for the aliases.
    Possessives are stripped; stopwords are dropped.
    """
    out, joined = _words(text)
    return out + joined


def compounds(text: str) -> dict[str, tuple[str, ...]]:
    """Each joined form of a hyphenated word of `text`, with its kept parts."""
    found: dict[str, tuple[str, ...]] = {}
    for original in _WORD.findall(normalize(text)):
        if "-" in original:
            parts, joined = _words(original)
            if joined and len(parts) > 1:
                found[joined[0]] = tuple(parts)
    return found


@lru_cache(maxsize=1 << 18)
def _terms_of(match: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stemmed words of one match of _WORD (already normalised), and of its joined
    form: cached, as words repeat."""
    out, joined = _words(match)
    return tuple(stem(w) for w in out), tuple(stem(w) for w in joined)


@lru_cache(maxsize=1 << 18)
def _stems_of(match: str) -> tuple[str, ...]:
    """The stemmed words of one match of _WORD, without its joined form: cached."""
    return _terms_of(match)[0]


def word_matches(text: str) -> list[str]:
    """The raw word matches of `text`, normalised: tokenize's input, each match mapped
    by `match_terms` (a builder may cache per match, as words repeat)."""
    text = normalize(text)
    return (_WORD_ASCII if text.isascii() else _WORD).findall(text)


def match_terms(match: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The terms of one word match: its stemmed words, and its joined form's (hyphens)."""
    return _terms_of(match)


def piece_terms(piece: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The terms of one whitespace-separated piece of an ASCII text, and of its joined
    forms (hyphens): a builder caches them per distinct piece, as pieces repeat.

    For ASCII text, `tokenize(text)` is every piece's stems in order, then every piece's
    joined forms: normalising only drops commas between digits, and neither that nor a
    word match reaches across whitespace (tests compare the two).
    """
    letters = piece.strip(_EDGES)
    if letters.isalpha():
        # Letters only, perhaps between punctuation: the most common piece (all but a few
        # of a bench corpus's new pieces). One word, case-folded, kept as _words keeps
        # it, without its regexes.
        word = letters.lower()
        if word in STOPWORDS and not (len(letters) > 1 and letters.isupper()):
            return (), ()
        return (stem(word),), ()
    out, joined = _words(piece)
    return tuple(map(stem, out)), tuple(map(stem, joined))


def tokenize(text: str) -> list[str]:
    """Terms for BM25: `words(text)`, each stemmed."""
    # Same as [stem(w) for w in words(text)]: one cached call a word, the loop in C
    # (map, chain); joined forms only when the text has a hyphen. 3x faster on big builds.
    text = normalize(text)
    matches = (_WORD_ASCII if text.isascii() else _WORD).findall(text)
    out = list(chain.from_iterable(map(_stems_of, matches)))
    if "-" in text:
        out.extend(chain.from_iterable(_terms_of(m)[1] for m in matches if "-" in m))
    return out


def word_pairs(text: str) -> set[tuple[str, str]]:
    """Each pair of adjacent words of `text`, stemmed, stopwords kept: the phrases a
    question shares with a passage (`1961 all over again`), which single terms miss."""
    return set(itertools.pairwise(map(stem, _pair_words(normalize(text)))))


def _pair_words(text: str) -> list[str]:
    """The words of normalised `text` that pairs are made of: runs of letters and digits,
    case-folded, apostrophes dropped, stopwords kept."""
    if text.isascii():
        return text.lower().encode("ascii").translate(_ASCII_GAPS, b"'").decode("ascii").split()
    return _LETTERS.findall(text.casefold().replace("'", ""))


def pairs_held(text: str, pairs: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> int:
    """How many of `pairs` (as word_pairs gives them) `text` holds: len(pairs &
    word_pairs(text)), stemming only the adjacent words whose first letters could start
    a pair. A stem keeps its word's first letter (tests check it on 320,000 English words
    and on random text), and stemming most words of a shown passage was most of a phrase
    check: a large library's words miss the stem cache."""
    text, pairs = normalize(text), frozenset(pairs)
    firsts, ascii_firsts, heads, openings = _initials(pairs)
    if _pairs is not None and text.isascii():
        # index/_pairs.c: the same pairs, found without a string for every word, and
        # stemmed and counted as the loop below does (words that cannot stem to a pair's
        # word, by their first two letters, not stemmed at all).
        held_pairs: int = _pairs.held(text, ascii_firsts, stem, heads, pairs, openings)
        return held_pairs
    candidates = _adjacent(_pair_words(text), firsts)
    # A candidate's second word is stemmed only when its first stems to a pair's first
    # word: most do not, and a large library's words miss the stem cache (0.75 us each).
    held = set()
    for a, b in candidates:
        head = stem(a)
        if head in heads:
            pair = (head, stem(b))
            if pair in pairs:
                held.add(pair)
    return len(held)


@lru_cache(maxsize=1024)
def _initials(
    pairs: frozenset[tuple[str, str]],
) -> tuple[frozenset[str], str, frozenset[str], str]:
    """The first letters of each pair's two words, those that are ASCII joined, the pairs'
    first words, and the openings of the ASCII words that could stem to one of the pairs'
    words (_openings): made once a question, not for each of its ten candidates (1.9 of
    pairs_held's 5.2 us)."""
    firsts = frozenset(a[:1] + b[:1] for a, b in pairs if a and b)
    ascii_firsts = "".join(f for f in firsts if f.isascii())
    words = {w for pair in pairs for w in pair}
    return firsts, ascii_firsts, frozenset(a for a, _ in pairs), _openings(words)


def _openings(stems: Iterable[str]) -> str:
    """The first two letters a word may have and stem to one of `stems`, as pieces of two
    (for the compiled scan): a stem keeps its word's first two letters, but for a second
    letter y turned i (dying -> die) and for stems of one letter ("*": any second letter,
    or none). Tests check it on 300,000 English words and on random ones."""
    out = set()
    for s in stems:
        if not s.isascii() or not s:
            continue  # no ASCII word stems to it: the scan reads ASCII text only
        if len(s) == 1:
            out.add(s + "*")
        else:
            out.add(s[:2])
            if s[1] == "i":
                out.add(s[0] + "y")
    return "".join(sorted(out))


def _adjacent(words: list[str], firsts: frozenset[str]) -> Iterable[tuple[str, str]]:
    """The adjacent pairs of `words` whose first letters are one of `firsts`."""
    # Adjacent first letters are found by str.find in the string of every word's first
    # letter: a loop in C, where one over the word pairs cost 7 us a passage.
    initials = "".join([w[0] for w in words])
    for two in firsts:
        i = initials.find(two)
        while i >= 0:
            yield words[i], words[i + 1]
            i = initials.find(two, i + 1)


@cache
def _stopword_stems() -> frozenset[str]:
    # Made on first use: stemming the list at import would slow every start-up.
    return STOPWORDS | {stem(w) for w in STOPWORDS}


def pair_terms(pairs: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> set[str]:
    """The words of `pairs` that no stopword stems to: in a text `plain_words` accepts, each
    such word of word_pairs(text) is also a term of tokenize(text), so a passage the
    engine says lacks the term cannot hold the pair (tests check this on random texts)."""
    stop = _stopword_stems()
    return {w for pair in pairs for w in pair if w not in stop}


def plain_words(text: str) -> bool:
    """True when `text` is ASCII without apostrophes: its word pairs and its terms then
    split it alike (casefolding, possessives and non-ASCII letters aside)."""
    return text.isascii() and "'" not in text


def pair_needs(
    pairs: frozenset[tuple[str, str]] | set[tuple[str, str]], terms: list[str]
) -> list[frozenset[str]]:
    """Each of a question's word `pairs`' words that are query `terms` (and that no
    stopword stems to): a passage lacking one of them, as the engine says, cannot hold
    the pair."""
    asked = pair_terms(pairs) & set(terms)
    return [frozenset(pair) & asked for pair in pairs]


def lacks_pairs(held: frozenset[str], needs: list[frozenset[str]], text: str) -> bool:
    """True when a passage (`text`, holding the query terms `held`, as the engine says)
    cannot hold any of a question's word pairs, told without tokenising it: its words split
    as its terms do, and it lacks a needed word of every pair (`needs`: pair_needs)."""
    return plain_words(text) and not any(map(held.issuperset, needs))


def question_parts(
    text: str,
) -> tuple[list[str], dict[str, tuple[str, ...]], set[tuple[str, str]]]:
    """`words(text)`, `compounds(text)` and `word_pairs(text)` from one normalisation:
    what a question is read into once (index/question.py). The words in one pass over the
    text, where one `_words` call a word took 12 of a question's 18 us."""
    text = normalize(text)  # again in the calls below: a normalised text is left as it is
    out, joined = _words(text)
    found = compounds(text) if "-" in text else {}
    return out + joined, found, set(itertools.pairwise(map(stem, _pair_words(text))))
