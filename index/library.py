"""The library: briefs, their passages and where they came from, behind one lookup protocol.

Data only. Ranking lives in the engine a backend builds (index/engines.py), the query
pipeline in index/search.py, and storage in one backend per file format
(index/json_backend.py, index/mapped_backend.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol, overload

from index.cite import Citation, locator
from index.engines import Engine
from index.passages import Passage, kind_of
from index.records import quick_init
from index.settings import IndexSettings

if TYPE_CHECKING:
    from index.vectors import SentenceVectors


@quick_init
@dataclass(frozen=True)
class BriefInfo:
    """What the index keeps of a brief besides its passages (no body text)."""

    id: str
    title: str
    standfirst: str
    publisher: str | None
    url: str | None
    author: str | None
    date: str | None
    source: str
    paragraphs: int


class Cited(NamedTuple):
    """What a citation takes of its brief (index/cite.py): title, url, publisher and how
    many paragraphs it has."""

    title: str
    url: str | None
    publisher: str | None
    paragraphs: int

    @classmethod
    def of(cls, brief: BriefInfo) -> Cited:
        """The citation's part of a brief's whole record."""
        return cls(brief.title, brief.url, brief.publisher, brief.paragraphs)


@dataclass(frozen=True)
class SourceStamp:
    """What the index remembers of one file in `seeds/`, to notice when it changes."""

    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    """A file in `seeds/` that was not indexed, and why."""

    file: str
    reason: str


class Passages(Protocol):
    """The passages of a library in order, found by id or brief without a scan.

    Implemented by PassageList (in memory) and the mapped backend's PassageTable.
    """

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __iter__(self) -> Iterator[Passage]: ...

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, or None."""
        ...

    def of_brief(self, brief_id: str) -> Sequence[int]:
        """The positions of the passages of `brief_id`, in order (empty when unknown)."""
        ...

    def brief_of(self, i: int) -> str:
        """The brief of passage i, without reading its text (a search asks it per candidate)."""
        ...

    def many(self, ids: Sequence[int]) -> list[Passage]:
        """The passages at positions `ids` (each 0 to len - 1, else IndexError), in that
        order: a search reads its ten leading candidates together, a mapped file checked
        once for all."""
        ...


class Contexts(Protocol):
    """Which terms each passage's brief holds in its title and standfirst (its context: a
    question's word missing from a passage but in its brief's title counts a little).

    Implemented by index/contexts.py (tokenised from the briefs, for a library in memory)
    and the mapped backend's ContextTable (postings the file keeps: a large library's
    briefs are many, and a question's 30 candidates meet 30 of them).
    """

    def holds(self, terms: Sequence[str], ids: Sequence[int]) -> list[list[bool]]:
        """For each of `terms`, whether the brief of each passage of `ids` holds it."""
        ...


class Guard(Protocol):
    """What notices a mapped library's file changed under it (index/mapped_check.py's
    FileGuard): `looked()` is a context whose reads rely on one look, taken on entry."""

    def looked(self) -> AbstractContextManager[None]:
        """A context in which this thread's reads of the file rely on one look at it."""
        ...


class PassageList(Sequence[Passage]):
    """Passages held in memory, with the id and brief look-ups of `Passages`."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._items = list(passages)
        self._by_id = {p.id: i for i, p in enumerate(self._items)}
        self._by_brief: dict[str, list[int]] = {}
        for i, p in enumerate(self._items):
            self._by_brief.setdefault(p.brief, []).append(i)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        return self._items[i]

    def __iter__(self) -> Iterator[Passage]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, or None."""
        return self._by_id.get(passage_id)

    def of_brief(self, brief_id: str) -> Sequence[int]:
        """The positions of the passages of `brief_id`, in order."""
        return self._by_brief.get(brief_id, [])

    def brief_of(self, i: int) -> str:
        """The brief of passage i."""
        return self._items[i].brief

    def many(self, ids: Sequence[int]) -> list[Passage]:
        """The passages at positions `ids` (each 0 to len - 1, else IndexError), in order."""
        if any(i < 0 for i in ids):
            raise IndexError(min(ids))
        return [self._items[i] for i in ids]


@dataclass(frozen=True)
class Library:
    """Everything an index holds: briefs, passages, their terms and the engine over them.

    settings: the build settings the terms and scores were made with.
    tokens: each passage's index terms (lazy for a mapped library).
    engine: the BM25 engine over `tokens`, made by the backend that built or loaded it.
    sources / skipped / built_at / alias_groups: provenance, to tell when it is stale.
    vectors: the sentence meaning vectors of the passages, when made at build time.
    """

    settings: IndexSettings
    briefs: Mapping[str, BriefInfo]
    passages: Passages
    tokens: Sequence[Sequence[str]]
    engine: Engine = field(repr=False, compare=False)
    sources: Mapping[str, SourceStamp] = field(default_factory=dict)
    built_at: str = ""
    skipped: tuple[Skipped, ...] = ()
    alias_groups: list[list[str]] = field(default_factory=list)
    # Sentence meaning vectors made at build time (None: none made; see index/vectors.py).
    vectors: SentenceVectors | None = field(default=None, repr=False, compare=False)
    # The index terms of each brief's title and standfirst, where the file keeps them (the
    # mapped format); None: the word ranker tokenises them (index/contexts.py).
    contexts: Contexts | None = field(default=None, repr=False, compare=False)
    # What notices the file under a mapped library changed in place (index/mapped_check.py);
    # None: the library is in memory.
    guard: Guard | None = field(default=None, repr=False, compare=False)
    # What a citation takes of a brief (by id; KeyError when unknown), where the file keeps
    # it apart from the brief's record (the mapped format: read without parsing the
    # record, a search's costliest read); None: taken from `briefs`.
    cited: Callable[[str], Cited] | None = field(default=None, repr=False, compare=False)

    def reading(self) -> AbstractContextManager[None]:
        """A context for the reads of one search: a mapped library's file is looked at once
        as it is entered, not before each read inside (on this thread)."""
        return self.guard.looked() if self.guard is not None else contextlib.nullcontext()

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id, or None."""
        i = self.passages.find(passage_id)
        return None if i is None else self.passages[i]

    def paragraph(self, brief_id: str, number: int) -> list[Passage]:
        """The passages of paragraph `number` of a brief (more than one when it was split);
        0 is the standfirst and -n the captions before ¶n (index.passages)."""
        mine = (self.passages[i] for i in self.passages.of_brief(brief_id))
        return [p for p in mine if p.paragraph == number]

    def passage_counts(self) -> dict[str, int]:
        """How many passages each brief has (without reading them)."""
        return {b: len(self.passages.of_brief(b)) for b in self.briefs}

    def citation(self, passage: Passage) -> Citation:
        """The citation of `passage`: brief title, `¶n`, brief id and url."""
        return self.cite(passage.brief, passage.paragraph, passage.part, passage.page)

    def cite(self, brief_id: str, paragraph: int, part: int = 0, page: int = -1) -> Citation:
        """The citation of paragraph `paragraph` (or one part of it) of a brief; `page`
        -1 looks the paragraph's page up (PDF briefs)."""
        cited = self.cited
        brief = cited(brief_id) if cited is not None else Cited.of(self.briefs[brief_id])
        if page < 0:
            page = next((p.page for p in self.paragraph(brief_id, paragraph)), 0)
        # Positional, in the fields' order (title, locator, paragraph, brief, url,
        # publisher, page, kind): eight keywords cost 1 us more a citation.
        return Citation(
            brief.title,
            locator(paragraph, part, page, brief.paragraphs),
            paragraph,
            brief_id,
            brief.url,
            brief.publisher,
            page,
            kind_of(paragraph),
        )
