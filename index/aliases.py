"""Aliases: names that mean the same (DPRK, North Korea, Pyongyang), from seeds/aliases.yaml."""

from __future__ import annotations

from pathlib import Path

from index.errors import UnreadableBrief
from index.safe_files import inside
from index.safe_yaml import YamlRefused, load_yaml
from index.tokenize import tokenize

ALIASES_FILE = "aliases.yaml"
MAX_ALIASES_BYTES = 1024 * 1024
# Group terms start with this; no word can (the tokenizer keeps letters and digits only).
GROUP_PREFIX = "~"

Phrase = tuple[str, ...]


def read_aliases(path: Path) -> list[list[str]]:
    """The alias groups of `path` as written; UnreadableBrief saying what is wrong, and where."""
    if not inside(path, path.parent):
        raise UnreadableBrief("it is a link to a file outside the seeds folder")
    try:
        data = load_yaml(path, max_bytes=MAX_ALIASES_BYTES)
    except YamlRefused as exc:
        raise UnreadableBrief(f"cannot read the aliases ({exc.detail})") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise UnreadableBrief("it must be a list of groups, e.g. - [North Korea, DPRK]")
    groups = []
    for n, group in enumerate(data, start=1):
        if not (
            isinstance(group, list)
            and len(group) >= 2
            and all(isinstance(name, str | int) for name in group)
        ):
            raise UnreadableBrief(f"group {n} must list two names or more, e.g. [USSR, Soviet]")
        groups.append([str(name) for name in group])
    return groups


class Aliases:
    """Alias groups as token phrases, each group named by one group term.

    Passages get the group term once per occurrence of any of its names, and a
    question naming any of them searches for the group term: BM25 then counts
    the group as one word (its frequency and rarity are the group's), so a rare
    name such as `Moscow` does not outweigh the common `Russia` it stands for.
    """

    def __init__(self, groups: list[list[str]]) -> None:
        self.groups = groups
        self._term: dict[Phrase, str] = {}
        for group in groups:
            phrases = [p for p in (tuple(tokenize(name)) for name in group) if p]
            if not phrases:
                continue
            term = self._term.get(phrases[0]) or GROUP_PREFIX + "_".join(phrases[0])
            for phrase in phrases:
                self._term.setdefault(phrase, term)
        self.longest = max((len(p) for p in self._term), default=0)
        self._starts = {phrase[0] for phrase in self._term}

    def match(self, terms: list[str], start: int) -> tuple[str, int] | None:
        """The group term and length of the longest alias phrase at `terms[start:]`, or None."""
        if terms[start] not in self._starts:
            return None  # most words start no alias: no phrase of them looked up
        for size in range(min(self.longest, len(terms) - start), 0, -1):
            term = self._term.get(tuple(terms[start : start + size]))
            if term:
                return term, size
        return None

    def index_terms(self, text: str) -> list[str]:
        """How text becomes index terms, for passages and questions alike: tokens,
        then the group term of every alias phrase among them."""
        return self.annotate(tokenize(text))

    def annotate(self, terms: list[str]) -> list[str]:
        """`terms` followed by the group term of every alias phrase found in them.

        Group terms are annotations: the engines leave them out of a passage's length,
        so naming Moscow does not make a passage "longer" than one naming a city.

        Overlapping phrases all count: `Sino-Soviet Split` names the Soviet Union too.
        """
        extra = []
        for start in range(len(terms)):
            if terms[start] not in self._starts:
                continue  # most words start no alias phrase
            found = {
                term
                for size in range(1, min(self.longest, len(terms) - start) + 1)
                if (term := self._term.get(tuple(terms[start : start + size])))
            }
            extra.extend(sorted(found))
        return terms + extra
