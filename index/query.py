"""A question becomes concepts: each of the user's words (or alias phrases), with the
other ways the briefs may say it: aliases, and near spellings for words the index lacks.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from index.aliases import Aliases, Phrase
from index.english import is_english_word, rarity
from index.question import Question
from index.records import quick_init
from index.tokenize import stem

# A typo correction counts for less than a word the user spelled as the index does.
TYPO_WEIGHT = 0.8
# Words that frame a question rather than name its topic ("What happened…",
# "How many times…", "Does Kim need to…"): searched, but they count for little
# when deciding whether the briefs cover the question.
FRAMING_WEIGHT = 0.2
FRAMING_WORDS = frozenset(
    stem(w)
    for w in """
    happen happened happens happening going go goes get gets got getting need needs
    consider considered think thinks thought say says said tell mean means meant many
    much often far good bad now today currently still really bring brought make makes
    made come comes came way ways thing things kind sort explain describe matter
    matters role main key example exactly actually likely want wants
    """.split()
)
MAX_CORRECTIONS = 2
# Unknown words of one question looked up for typos, at most.
MAX_TYPO_LOOKUPS = 8
# Shortest shared start for two words to count as forms of one root.
ROOT_LENGTH = 6


@quick_init
@dataclass(frozen=True)
class Concept:
    """One thing the question asks about, and the phrases that say it in a passage."""

    words: tuple[str, ...]
    phrases: tuple[Phrase, ...]
    weight_factor: float = 1.0

    def terms(self) -> list[str]:
        """Every term of every phrase, for the BM25 query."""
        return [t for phrase in self.phrases for t in phrase]

    def found_in(self, terms: set[str] | frozenset[str]) -> bool:
        """True when one of the phrases is wholly in a passage's set of terms."""
        # A loop, not any() over a generator (3x slower): asked for every concept of 30
        # candidates.
        for phrase in self.phrases:  # noqa: SIM110
            if terms.issuperset(phrase):
                return True
        return False


def max_typos(term: str) -> int:
    """Edits allowed to correct `term`: none for short words, where typos are guesses."""
    return 0 if len(term) < 5 else 1 if len(term) < 9 else 2


def corrections(term: str, vocabulary: Sequence[str]) -> list[str]:
    """Indexed terms that an unknown `term` probably means: the nearest within
    `max_typos(term)` edits, else other forms of the word (`triangl` for `triangular`).
    `vocabulary`: every indexed term, sorted.
    """
    limit = max_typos(term)
    if not limit or not vocabulary:
        return []
    fixed = _nearest(term, vocabulary, limit)
    return fixed or _same_root(term, vocabulary)


def _same_root(term: str, vocabulary: Sequence[str]) -> list[str]:
    """Indexed terms starting like `term`: 6 letters at least, and all of the shorter
    word but its last letter (`triangl` and `triangular`). The terms starting with the
    root are found by bisection of the sorted vocabulary: a scan of a large library's
    was 12 ms a question."""
    if len(term) < ROOT_LENGTH:
        return []
    root = term[:ROOT_LENGTH]
    i = bisect.bisect_left(vocabulary, root)
    forms = []
    while i < len(vocabulary) and vocabulary[i].startswith(root):
        v = vocabulary[i]
        if _shared_start(v, term) >= min(len(v), len(term)) - 1:
            forms.append(v)
        i += 1
    return sorted(forms, key=lambda v: (abs(len(v) - len(term)), v))[:MAX_CORRECTIONS]


def _shared_start(a: str, b: str) -> int:
    """How many leading letters `a` and `b` share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _nearest(term: str, vocabulary: Sequence[str], limit: int) -> list[str]:
    """Indexed terms within `limit` edits of `term`, the nearest ones only."""
    # Imported on first use: most questions need no typo fix, and `briefbot ask`
    # should start as fast as the libraries it cannot do without.
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(
        term, vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=MAX_CORRECTIONS
    )
    best = min((distance for _, distance, _ in found), default=0)
    return [match for match, distance, _ in found if distance == best]


def parse(
    question: Question,
    aliases: Aliases,
    known: Callable[[str], bool],
    vocabulary: Callable[[], Sequence[str]],
) -> list[Concept]:
    """The concepts of `question`, with aliases and typo corrections applied."""
    typed, stems = list(question.words), list(question.stems)
    concepts: list[Concept] = []
    i = lookups = 0
    while i < len(stems):
        found = aliases.match(stems, i)
        if found:
            group_term, size = found
            concepts.append(Concept(tuple(typed[i : i + size]), ((group_term,),)))
            i += size
        else:
            term = stems[i]
            # Bounded, so a long question of made-up words stays fast on a large library.
            unknown = not known(term)
            lookups += unknown
            typo = unknown and lookups <= MAX_TYPO_LOOKUPS and not is_english_word(typed[i])
            fixes = corrections(term, vocabulary()) if typo else []
            if fixes:
                phrases = tuple((t,) for t in fixes)
                concepts.append(Concept((typed[i],), phrases, TYPO_WEIGHT))
            else:
                weight = FRAMING_WEIGHT if term in FRAMING_WORDS else 1.0
                if unknown:
                    weight = min(weight, max(FRAMING_WEIGHT, rarity(typed[i])))
                concepts.append(Concept((typed[i],), ((term,),), weight))
            i += 1
    concepts = _merge_compounds(concepts, question.compounds)
    # The same concept typed twice counts once.
    return list({c.phrases: c for c in concepts}.values())


def _plain(concept: Concept, word: str) -> bool:
    """True when `concept` is just `word` as typed: no alias, no typo fix."""
    return concept.words == (word,) and concept.phrases == ((stem(word),),)


def _merge_compounds(
    concepts: list[Concept], joined_parts: Mapping[str, tuple[str, ...]]
) -> list[Concept]:
    """One concept per hyphenated word: `Jong-un` is `jong un` or `jongun`, not three
    words, so a name does not outweigh the rest of the question."""
    for joined, parts in joined_parts.items():
        found = [next((c for c in concepts if _plain(c, word)), None) for word in (*parts, joined)]
        if any(c is None for c in found):
            continue  # a part is an alias or a typo fix: leave them as they are
        merged = Concept(
            parts,
            (tuple(stem(w) for w in parts), (stem(joined),)),
            max(c.weight_factor for c in found if c is not None),
        )
        at = concepts.index(found[0])  # type: ignore[arg-type]
        concepts = [c for c in concepts if c not in found]
        concepts.insert(min(at, len(concepts)), merged)
    return concepts
