"""The tokenizer: every spelling a student may type meets the same index term."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from index import tokenize as tokenize_module
from index.aliases import Aliases
from index.tokenize import (
    _DIGIT_GROUP,
    _FOLD,
    _LETTERS,
    _adjacent,
    _initials,
    _pair_words,
    compounds,
    normalize,
    pair_terms,
    pairs_held,
    plain_words,
    question_parts,
    stem,
    tokenize,
    word_pairs,
    words,
)


def texts_of(
    pieces: list[str], alphabet: str | None = None, run: int = 0, max_size: int = 30
) -> st.SearchStrategy[str]:
    """Texts joined from up to `max_size` of `pieces` and, given an `alphabet`, random runs
    of up to `run` of its characters."""
    piece: st.SearchStrategy[str] = st.sampled_from(pieces)
    if alphabet is not None:
        piece = st.one_of(piece, st.text(alphabet=alphabet, max_size=run))
    return st.lists(piece, max_size=max_size).map("".join)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hyphenated names match their parts and their joined form.
        ("Kim Jong-un", ["kim", "jong", "un", "jongun"]),
        ("jong un", ["jong", "un"]),
        ("jongun", ["jongun"]),
        # Numbers with or without thousands separators.
        ("1,350", ["1350"]),
        ("1350", ["1350"]),
        ("1\u202f350", ["1350"]),
        # Curly and straight quotes, possessives stripped.
        ("Russia\u2019s isolation", ["russia", "isol"]),
        ("Russia's isolation", ["russia", "isol"]),
        ("the allies' plans", ["alli", "plan"]),
        ("\u201cno limits partnership\u201d", ["limit", "partnership"]),
        # Dashes of every kind fold to a hyphen.
        ("Sino\u2013Soviet", ["sino", "soviet", "sinosoviet"]),
        ("Sino\u2014Soviet", ["sino", "soviet", "sinosoviet"]),
        # Stopwords go; an all-capitals acronym is kept even when it spells one.
        ("What is the US doing?", ["us"]),
        ("tell us about it", ["tell"]),
        # Stemming folds inflections.
        ("alliances allied alliance", ["allianc", "alli", "allianc"]),
        ("negotiations negotiating", ["negoti", "negoti"]),
        # Unicode normalisation and case folding.
        ("\uff2b\uff29\uff2d", ["kim"]),  # full-width letters
        ("STRASSE stra\u00dfe", ["strass", "strass"]),
        # Zero-width characters do not split words.
        ("Py\u200bongyang", ["pyongyang"]),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "the of and", "?!", "--", "\u200b"])
def test_nothing_to_search(text):
    assert tokenize(text) == []


def test_query_and_passage_share_terms():
    passage = "North Korea and China share a 1,350-kilometre border"
    query = "how long is the 1350 kilometre border"
    assert {"1350", "kilometr", "border"} <= set(tokenize(passage)) & set(tokenize(query))


def test_joined_forms_come_last_so_names_stay_together():
    # "United States-South Korea-Japan": `south korea` must stay adjacent for the aliases.
    terms = tokenize("United States-South Korea-Japan coalition")
    assert terms == [
        "unit",
        "state",
        "south",
        "korea",
        "japan",
        "coalit",
        "statessouth",
        "koreajapan",
    ]
    aliases = Aliases([["South Korea", "ROK"]])
    assert "~south_korea" in aliases.index_terms("the United States-South Korea-Japan coalition")


def test_compounds_map_joined_forms_to_their_parts():
    assert compounds("Kim Jong-un and the Sino-Soviet Split") == {
        "jongun": ("jong", "un"),
        "sinosoviet": ("sino", "soviet"),
    }
    assert compounds("no hyphen here") == {}


def test_word_pairs_keep_stopwords_and_stem():
    pairs = word_pairs("It\u2019s not quite 1961 all over again.")
    assert {("1961", "all"), ("all", "over"), ("over", "again")} <= pairs
    assert word_pairs("Is it 1961 all over again?") & pairs == {
        ("1961", "all"),
        ("all", "over"),
        ("over", "again"),
    }
    assert word_pairs("single") == set()


@settings(max_examples=300, deadline=None)
@given(
    texts_of(
        [
            "Kim",
            "Jong-un",
            "un",
            "the",
            "US",
            "it's",
            "Sino-Soviet",
            "1,350",
            "-",
            "'",
            " ",
            "\u2019s",
            "\u2014",
            "caf\u00e9",
            "Stra\u00dfe",
            "nuclear",
            "tests",
            "a-b-c",
            "IT",
        ]
    )
)
def test_tokenize_is_words_stemmed(text):
    """The fast path (cached stems, joined forms only past a hyphen) gives the documented terms."""
    assert tokenize(text) == [stem(w) for w in words(text)]


@settings(max_examples=300, deadline=None)
@given(
    texts_of(
        [
            *["Kim", "Jong-un", "US", "it's", "Sino-Soviet", "1,350", "-", "'", " ", "\u2019s"],
            *["\u2014", "caf\u00e9", "Stra\u00dfe", "a-b-c", "IT", "\u00bd", "\ufb01", ","],
        ],
        alphabet="aZ9-' ,\u00a0\u202f\u00e9\u2019",
        run=6,
    )
)
def test_a_question_is_read_into_its_words_compounds_and_pairs(text):
    """question_parts normalises once, then reads the words in one pass: the same words,
    compounds and pairs as each function reading the text on its own."""
    assert question_parts(text) == (words(text), compounds(text), word_pairs(text))


@settings(max_examples=500, deadline=None)
@given(
    texts_of(
        [
            "Kim",
            "Jong-un",
            "the",
            "The",
            "US",
            "us",
            "ourselves",
            "having",
            "Sino-Soviet",
            "1,350",
            "-",
            "--",
            ",",
            ".",
            " ",
            "\n",
            "nuclear",
            "tests",
            "a-b-c",
            "IT",
            "A-10",
            "_",
            "x_y",
        ],
        alphabet="abcdeiosuyzABSY019-_., ",
        run=12,
    )
)
def test_in_plain_text_every_pair_word_that_is_not_a_stopword_is_a_term(text):
    """What the phrase shortcut relies on (index/words.py): in ASCII text without
    apostrophes, a word of a word pair that no stopword stems to is a term of the text,
    so a passage the engine says lacks that term cannot hold the pair."""
    assert plain_words(text)
    assert pair_terms(word_pairs(text)) <= set(tokenize(text))


def test_plain_words_refuses_what_splits_otherwise():
    # Possessives and non-ASCII letters split differently into pairs and into terms.
    assert not plain_words("Korea's border") and not plain_words("Korea\u2019s border")
    assert not plain_words("\u0130stanbul") and plain_words("North Korea, 1,350 km")


# Words a phrase check meets: English, names, stopwords, possessives, hyphens, digits,
# letters outside ASCII (and casefolding that lengthens: ß), punctuation.
PAIR_TEXT = texts_of(
    [
        "the",
        "is",
        "what",
        "Kim",
        "Jong-un",
        "Korea's",
        "Korea\u2019s",
        "skies",
        "dying",
        "lying",
        "generously",
        "1961",
        "all",
        "over",
        "again",
        "Stra\u00dfe",
        "\u00e9t\u00e9",
        "\u0130stanbul",
        "caf\u00e9",
        "ies",
        "y",
        "-",
        ",",
        ".",
        " ",
        "\n",
        "'",
    ],
    alphabet="abceinosty\u00e9\u00df19-'. ",
    run=10,
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(PAIR_TEXT, PAIR_TEXT, st.randoms(use_true_random=False))
def test_pairs_held_counts_the_pairs_word_pairs_finds(text, other, rng):
    """pairs_held stems only words whose first letters could start a question's pair: the
    count must be that of comparing with every pair of the text (the text's own pairs, some
    of another text's, and pairs that share only first letters with the text's)."""
    own, theirs = sorted(word_pairs(text)), sorted(word_pairs(other))
    pairs = set(rng.sample(own, min(len(own), 3)) + rng.sample(theirs, min(len(theirs), 3)))
    pairs |= {(a[:1] + "zz", b) for a, b in own[:2]}
    assert pairs_held(text, pairs) == len(pairs & word_pairs(text))


@settings(max_examples=500, deadline=None)
@given(PAIR_TEXT, PAIR_TEXT, st.randoms(use_true_random=False))
def test_pairs_held_counts_alike_with_and_without_the_compiled_scan(text, other, rng):
    """index/_pairs.c finds an ASCII passage's pairs; without it (no C compiler) Python
    does: the same count either way."""
    own, theirs = sorted(word_pairs(text)), sorted(word_pairs(other))
    pairs = set(rng.sample(own, min(len(own), 3)) + rng.sample(theirs, min(len(theirs), 3)))
    compiled = pairs_held(text, pairs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenize_module, "_pairs", None)
        assert pairs_held(text, pairs) == compiled


# ASCII runs of letters (either case), digits, apostrophes and the characters between words.
ASCII_RUNS = st.text(alphabet="abAB1'-_ .,\t\x00\x7f", max_size=60)


@settings(max_examples=1000, deadline=None)
@given(ASCII_RUNS, st.sets(st.text(alphabet="abAB1'", min_size=2, max_size=2), max_size=6))
def test_the_compiled_pair_scan_finds_the_pairs_python_finds(text, firsts):
    """index/_pairs.c's words are _pair_words' (apostrophes dropped, case folded), and it
    lists the adjacent pairs whose first letters are wanted, as _adjacent does (in text
    order, repeats kept)."""
    kernel = pytest.importorskip("index._pairs", reason="built without a C compiler")
    firsts = frozenset(f.lower() for f in firsts)
    found = kernel.adjacent(text, "".join(sorted(firsts)))
    assert sorted(found) == sorted(_adjacent(_pair_words(text), firsts))
    words = _pair_words(text)
    assert found == [(a, b) for a, b in itertools.pairwise(words) if a[0] + b[0] in firsts]


@settings(max_examples=500, deadline=None)
@given(ASCII_RUNS, st.sets(st.tuples(st.sampled_from("ab1"), st.sampled_from("ab1")), max_size=4))
def test_the_compiled_pair_count_counts_each_held_pair_once(text, wanted):
    """held() stems and counts the scan's pairs as pairs_held's loop does: each distinct
    pair of `pairs` once, however often the text repeats it."""
    kernel = pytest.importorskip("index._pairs", reason="built without a C compiler")
    words = _pair_words(text)
    pairs = frozenset(
        (stem(a), stem(b)) for a, b in itertools.pairwise(words) if (a[0], b[0]) in wanted
    )
    pairs |= {("1", "1"), ("zz", "a")}  # one that may be held, one that cannot
    firsts = "".join(sorted({a[:1] + b[:1] for a, b in pairs}))
    heads = frozenset(a for a, _ in pairs)
    expected = len(pairs & set(itertools.pairwise(map(stem, words))))
    everything = "".join(f"{c}*" for c in "ab1z")  # any opening: every candidate stemmed
    assert kernel.held(text, firsts, stem, heads, pairs, everything) == expected
    assert kernel.held(text, firsts, stem, heads, pairs, _initials(pairs)[3]) == expected


def test_the_compiled_pair_count_passes_on_errors_and_refuses_other_sets():
    kernel = pytest.importorskip("index._pairs", reason="built without a C compiler")

    def broken(word: str) -> str:
        raise RuntimeError(word)

    pairs = frozenset({("a", "b")})
    with pytest.raises(RuntimeError, match="a"):
        kernel.held("a b", "ab", broken, frozenset({"a"}), pairs, "a*b*")
    with pytest.raises(TypeError):
        kernel.held("a b", "ab", stem, {"a"}, pairs, "a*b*")
    with pytest.raises(ValueError):
        kernel.held("caf\u00e9 b", "cb", stem, frozenset({"c"}), pairs, "c*b*")
    with pytest.raises(ValueError, match="openings"):
        kernel.held("a b", "ab", stem, frozenset({"a"}), pairs, "a*b")


def test_the_compiled_pair_scan_refuses_what_is_not_ascii():
    kernel = pytest.importorskip("index._pairs", reason="built without a C compiler")
    for text, firsts in (("caf\u00e9 au lait", "al"), ("a b", "a\u00e9"), ("a b", "abc")):
        with pytest.raises(ValueError):
            kernel.adjacent(text, firsts)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_pair_words_of_ascii_text_are_the_letter_runs(text):
    """ASCII text is split by str.translate and str.split: the same words as the regex of
    runs of letters and digits (underscores, controls and separators between them)."""
    assert _pair_words(text) == _LETTERS.findall(text.casefold().replace("'", ""))


def test_a_stem_keeps_its_words_first_letter():
    """What pairs_held rests on, over the 320,000 commonest English words and the
    stemmer's exceptions (dying -> die, skies -> sky)."""
    from wordfreq import top_n_list

    listed = [*top_n_list("en", 500_000), "dying", "lying", "tying", "skies", "ies", "y"]
    found = [w for text in listed for w in _LETTERS.findall(text.casefold().replace("'", ""))]
    assert len(found) > 300_000
    assert [w for w in found if stem(w)[:1] != w[:1]] == []


def _opens_to(word: str, stemmed: str) -> bool:
    """Whether `word` opens as _openings says a word stemming to `stemmed` may."""
    return stemmed[:1] == word[:1] and (
        len(stemmed) == 1 or stemmed[1] == word[1:2] or (stemmed[1] == "i" and word[1:2] == "y")
    )


def test_a_stem_keeps_its_words_first_two_letters_but_for_y_and_one_letter_stems():
    """What the compiled phrase scan's openings rest on (index/tokenize.py _openings), over
    the 300,000 commonest English words and the stemmer's exceptions: a stem's second
    letter is its word's, but for a y turned i (dying -> die) and stems of one letter."""
    from wordfreq import top_n_list

    listed = [*top_n_list("en", 500_000), "dying", "lying", "tying", "vying", "skies", "aed"]
    found = [w for text in listed for w in _LETTERS.findall(text.casefold().replace("'", ""))]
    assert len(found) > 300_000
    assert [w for w in found if not _opens_to(w, stem(w))] == []
    assert not all(stem(w)[:2] == w[:2] for w in ("dying", "aed"))  # the two exceptions


@settings(max_examples=2000, deadline=None)
@given(
    st.text(alphabet="abcdeilnorstuy1", max_size=6),
    st.sampled_from(["", "s", "es", "ies", "ied", "ed", "ing", "ying", "yed", "ly", "eed", "y"]),
)
def test_a_made_up_words_stem_opens_as_its_word(core, suffix):
    """The same of words no dictionary holds (a library's names, a synthetic corpus)."""
    word = core + suffix
    assume(word)
    assert _opens_to(word, stem(word))


def test_the_compiled_scan_stems_only_words_that_open_as_a_pairs_word():
    """held() stems a word only when its first two letters could begin one of the pairs'
    words (their stems): "bandits bank" is not stemmed for the pair (bank, run), whose
    first letters it shares; "banks run" is, and counts."""
    kernel = pytest.importorskip("index._pairs", reason="built without a C compiler")
    pairs = frozenset({(stem("banks"), stem("run")), (stem("dying"), "a")})
    _, wanted, heads, openings = _initials(pairs)
    stemmed: list[str] = []

    def counted(word: str) -> str:
        stemmed.append(word)
        return stem(word)

    assert kernel.held("bendy rover bundle rests", wanted, counted, heads, pairs, openings) == 0
    assert stemmed == []  # b-e, r-o, b-u, r-e: no pair word opens so
    assert kernel.held("the banks run dry", wanted, counted, heads, pairs, openings) == 1
    assert stemmed == ["banks", "run"]
    assert kernel.held("dying a death", wanted, counted, heads, pairs, openings) == 1
    assert pairs_held("dying a death", pairs) == len(pairs & word_pairs("dying a death"))


# Each typographic variant normalize folds, once each way: what str.translate folds them to.
_BY_TRANSLATE = str.maketrans({variant: plain or None for variant, plain in _FOLD.items()})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*_FOLD, "a", "1", " ", "-", "'", "\u00e9"])))
def test_normalize_folds_variants_as_translate_would(text):
    """The variants are replaced one str.replace at a time, as str.translate would replace
    them all at once (no replacement makes another variant)."""
    import unicodedata

    assert normalize(text) == unicodedata.normalize("NFKC", text).translate(_BY_TRANSLATE)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("12,a \u00a0\u202f\u2009\n")), max_size=20))
@example("1,350 and 1,3500 and 12,34 and 1\u00a0350,000")
def test_digit_groups_drop_their_separators_only(text):
    """A separator goes only with a digit before it and exactly three after (1,350 and
    1 350, not 1,35 or 1,3500): the pattern as first written, digit look-behind first."""
    import re

    first = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009](?=\d{3}(?!\d))")
    assert normalize(text) == normalize(first.sub("", text))
    assert _DIGIT_GROUP.sub("", text) == first.sub("", text)
