"""Fill-in-the-blank questions from real sentences of a brief, for study.

A name, year or number of one sentence is blanked; the three wrong choices are
of the same kind and come from the same brief, so the question tests reading,
not guessing from the shape of the answer.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.passages import Passage
from index.sentences import sentence_spans

BLANK = "_____"
CHOICES = 4
MIN_WORDS = 8  # shorter sentences give too little context to answer from
MAX_WORDS = 60
MAX_NAME_WORDS = 3

# Numbers stand alone: not inside 3.5.1, 12:30 or A380; "1,350-kilometre" gives 1,350.
_END = r"(?![\w:]|[,.\-:]\d)"
_YEAR = re.compile(rf"(?<![\w,.:-])(1[5-9]\d\d|20\d\d){_END}")
_NUMBER = re.compile(rf"(?<![\w,.:-])(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?){_END}")
# A name word: Capitalised (with lower-case hyphen parts, Jong-un) or an acronym (ICBM).
_NAME_WORD = r"(?:[A-Z][a-z]+(?:-[a-z]+)*|[A-Z]{2,})"
_NAME = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD})*")
# Russian(s), Chinese, Korean(s), British, American(s): adjectives, not names of things.
_DEMONYM = ("ian", "ians", "ese", "ean", "eans", "ish", "can", "cans")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class QuizQuestion:
    """One question: the sentence with a blank, four choices and which one is right."""

    passage_id: str
    sentence_with_blank: str
    choices: tuple[str, ...]
    answer_index: int
    answer: str
    kind: str = "name"


@dataclass(frozen=True)
class _Candidate:
    passage_id: str
    sentence: str
    start: int
    end: int
    kind: str

    @property
    def answer(self) -> str:
        return self.sentence[self.start : self.end]


def _occurrences(text: str, answer: str) -> int:
    """How often `answer` stands in `text` as a whole word or phrase."""
    return len(re.findall(rf"(?<![\w-]){re.escape(answer)}(?![\w-])", text))


def _name_kind(name: str) -> str:
    last = name.rsplit(" ", 1)[-1]
    return "demonym" if not last.isupper() and last.endswith(_DEMONYM) else "name"


def _names(sentence: str, known: set[str]) -> list[tuple[int, int, str]]:
    """Capitalised names of `sentence`: not part of a hyphenated compound (Sino-Soviet),
    not run into a longer possessive name (People's Congress), the sentence's first word
    kept only when it is capitalised elsewhere too (so not "Still", "Younger")."""
    out = []
    for match in _NAME.finditer(sentence):
        start, end = match.span()
        before = sentence[start - 1] if start else " "
        after = sentence[end : end + 1]
        if (
            before in "-'\u2019"
            or before.isalnum()
            or (after and (after in "-" or after.isalnum()))
        ):
            continue
        rest = sentence[end:]
        if re.match(r"['\u2019]s [A-Z]", rest):
            continue
        words = match.group().split(" ")
        if not sentence[:start].strip(" \"'\u201c\u2018(") and words[0] not in known:
            start += len(words[0]) + 1
            words = words[1:]
        if 0 < len(words) <= MAX_NAME_WORDS:
            name = " ".join(words)
            out.append((start, start + len(name), _name_kind(name)))
    return out


def _spans(sentence: str, known: set[str]) -> list[tuple[int, int, str]]:
    """Every blankable (start, end, kind) of one sentence."""
    found = [(m.start(1), m.end(1), "year") for m in _YEAR.finditer(sentence)]
    years = {s for s, _, _ in found}
    found += [(m.start(1), m.end(1), "number") for m in _NUMBER.finditer(sentence)]
    found = [f for f in found if f[2] == "year" or f[0] not in years]
    return found + _names(sentence, known)


def _sentences(passages: Sequence[Passage]) -> list[tuple[str, str]]:
    """(passage id, sentence) for each sentence long enough to answer from, as written."""
    out = []
    for passage in passages:
        text = passage.text
        for start, end in sentence_spans(text):
            sentence = text[start:end].strip()
            if MIN_WORDS <= len(_WORD.findall(sentence)) <= MAX_WORDS:
                out.append((passage.id, sentence))
    return out


def _known_names(passages: Sequence[Passage]) -> set[str]:
    """Words written capitalised somewhere other than at the start of a sentence."""
    known: set[str] = set()
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            words = _WORD.findall(passage.text[start:end])[1:]
            for word in words:
                word = re.sub(r"['\u2019]s$", "", word.strip(".,;:()\"'\u201c\u201d"))
                if word[:1].isupper():
                    known.add(word)
    return known


def _conflicts(answer: str, other: str, aliases: Sequence[Sequence[str]]) -> bool:
    """True when `other` could also fill the blank: shares a word with the answer (Kim,
    Kim Il-sung) or names the same thing (Beijing, China)."""
    if set(answer.casefold().split()) & set(other.casefold().split()):
        return True
    for group in aliases:
        names = {g.casefold() for g in group}
        if answer.casefold() in names and other.casefold() in names:
            return True
    return False


def _distractors(
    candidate: _Candidate, pool: Sequence[str], aliases: Sequence[Sequence[str]]
) -> list[str]:
    """Same-kind values of the brief that cannot also be right in this sentence."""
    seen = {candidate.answer.casefold()}
    out = []
    for value in pool:
        if value.casefold() in seen or _occurrences(candidate.sentence, value):
            continue
        if candidate.kind in ("name", "demonym") and _conflicts(candidate.answer, value, aliases):
            continue
        seen.add(value.casefold())
        out.append(value)
    if candidate.kind == "demonym":  # "the _____ delegation": Russians cannot be a choice
        out = [v for v in out if v.endswith("s") == candidate.answer.endswith("s")]
    same_length = [v for v in out if len(v.split()) == len(candidate.answer.split())]
    return same_length if len(same_length) >= CHOICES - 1 else out


def make_question(
    passages: Sequence[Passage],
    seed: int,
    brief: str | None = None,
    *,
    aliases: Sequence[Sequence[str]] = (),
) -> QuizQuestion | None:
    """A fill-in-the-blank question from a sentence of `brief` (or of any brief); the same
    seed gives the same question. None when no sentence has a blank with three distractors."""
    # Captions are left out: a credit or a label, not a sentence a reader can answer from.
    mine = [p for p in passages if (brief is None or p.brief == brief) and p.kind != "caption"]
    known = _known_names(mine)
    candidates: list[_Candidate] = []
    for passage_id, sentence in _sentences(mine):
        for start, end, kind in _spans(sentence, known):
            candidate = _Candidate(passage_id, sentence, start, end, kind)
            if _occurrences(sentence, candidate.answer) == 1:
                candidates.append(candidate)
    pools: dict[str, list[str]] = {}
    for c in candidates:
        pools.setdefault(c.kind, [])
        if c.answer not in pools[c.kind]:
            pools[c.kind].append(c.answer)
    usable = [(c, d) for c in candidates if len(d := _distractors(c, pools[c.kind], aliases)) >= 3]
    if not usable:
        return None
    rng = random.Random(seed)
    chosen, pool = usable[rng.randrange(len(usable))]
    choices = [chosen.answer, *rng.sample(pool, CHOICES - 1)]
    rng.shuffle(choices)
    return QuizQuestion(
        passage_id=chosen.passage_id,
        sentence_with_blank=chosen.sentence[: chosen.start] + BLANK + chosen.sentence[chosen.end :],
        choices=tuple(choices),
        answer_index=choices.index(chosen.answer),
        answer=chosen.answer,
        kind=chosen.kind,
    )
