"""The mapped index's tables: passages and tokens as numpy arrays, read when asked for (its
briefs: index/mapped_briefs.py).

Every read is checked (index/mapped_check.py): the file unchanged since it was mapped, and
the passage or brief against its checksum, so damage is reported, never quoted. A few
values read are kept (passages, and decoded blocks): a search reads the same ones
several times, and a kept value, checked when read, is a copy that reads nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, overload

import numpy as np

from index.aliases import Aliases
from index.kept import Kept
from index.mapped_briefs import BriefTable, int_view
from index.mapped_check import damaged, passage_crc
from index.passages import Passage, indexed_text, parse_passage_id, passage_id
from index.postings_build import Array
from index.text_blocks import FRAME_SIZE, BlockError, BlockReader, DecodeError
from index.tokenize import tokenize

if TYPE_CHECKING:
    from index._reads import PassageReader

_reads: ModuleType | None
try:  # the compiled reads (setup.py); without them, the same reads and checks in Python
    import index._reads as _reads
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _reads = None

# Passages kept as read: a search reads its leading candidates twice (their phrases, then
# their hits), and each read is a block decode and two checksums.
_CACHED_PASSAGES = 64
# A passage record's fields, in passage_crc's order.
_FIELDS = ("p_brief", "p_paragraph", "p_part", "p_start", "p_end", "p_page")


class PassageTable(Sequence[Passage]):
    """Passages held as arrays (text in compressed blocks); a Passage is made when asked for."""

    def __init__(self, arrays: Mapping[str, Array], briefs: BriefTable) -> None:
        self.arrays = arrays
        self.briefs = briefs  # its guard is checked before every read of the file
        self._ptr = int_view(arrays["text_ptr"])  # offsets in the text as if uncompressed
        # Sliced as a memoryview: a numpy slice and its copy cost twice as much a block.
        self._text = np.ascontiguousarray(arrays["text"], dtype=np.uint8).data
        self._blocks = int_view(arrays["text_block"])  # passage i: _text[_blocks[i]:_blocks[i + 1]]
        self._fields = [int_view(arrays[k]) for k in _FIELDS]
        self._crc = int_view(arrays["p_crc"])
        self._reader = BlockReader(arrays["text_dict"].tobytes())
        self._kept: Kept[int, Passage] = Kept(_CACHED_PASSAGES)
        self.compiled: PassageReader | None = None
        # The same reads and checks, 7 us a cold read against 17; a read reads the brief's
        # citation row too, with the briefs' compiled reader (the same module's).
        if _reads is not None and briefs.cite_reader is not None:
            self.compiled = _reads.PassageReader(
                self._text,
                self._blocks,
                self._ptr,
                *self._fields,
                self._crc,
                FRAME_SIZE,
                DecodeError,
            )
        # Passages of a brief are contiguous: brief b's are [_first[b], _first[b + 1]).
        self._first = np.searchsorted(arrays["p_brief"], np.arange(len(briefs) + 1))

    def __len__(self) -> int:
        return len(self._ptr) - 1

    def _check(self) -> None:
        # Before reading the mapping: a file truncated in place would crash it (SIGBUS).
        if self.briefs.guard is not None:
            self.briefs.guard.check()

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return self._read_span(start, max(start, stop))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._kept.get(i) or self._read(i)

    def many(self, ids: Sequence[int]) -> list[Passage]:
        """The passages at positions `ids`, in that order, the file's guard looked at once
        for all (a look is an fstat: 3.5 us on a virtual machine, and a search reads ten),
        and not at all when every one was kept (a kept passage is a checked copy, read from
        nothing: as __getitem__ returns it; a search's hits are its leading candidates)."""
        kept, size = self._kept, len(self)
        if ids and not 0 <= min(ids) <= max(ids) < size:
            raise IndexError(next(i for i in ids if not 0 <= i < size))
        if all(map(kept.__contains__, ids)):
            return [kept[i] for i in ids]
        self._check()
        if self.compiled is None:
            return [kept.get(i) or self._read(i, checked=True) for i in ids]
        try:
            inflate = self._reader.inflater()  # this thread's, asked once for all
        except BlockError:  # the dictionary is not one: the first passage read is refused
            return [kept.get(i) or self._read(i, checked=True) for i in ids]
        cites = self.briefs.cite_reader
        assert cites is not None  # compiled only with it
        self.compiled.touch(ids, cites)  # the cold places read first, their misses overlapped
        return [kept.get(i) or self._read_compiled(i, inflate) for i in ids]

    def _read_span(self, start: int, stop: int) -> list[Passage]:
        """Passages start to stop, each checked as `_read` checks one (the file's guard once a
        brief): a refresh takes every unchanged brief's passages from the file it replaces,
        brief after brief."""
        self._check()
        a = self.arrays
        columns = [a[k][start:stop].tolist() for k in _FIELDS]
        fields = zip(*columns, a["p_crc"][start:stop].tolist(), strict=True)
        passages = []
        brief = columns[0][0] if columns[0] else -1  # the first brief's look was just above
        for i, (number, paragraph, part, first, last, page, crc) in enumerate(fields, start):
            if number != brief:
                self._check()
                brief = number
            raw = self._block(i)
            passages.append(self._passage(i, raw, number, paragraph, part, first, last, page, crc))
        return passages

    def _read(self, i: int, checked: bool = False) -> Passage:
        """Passage i from the arrays, checked against its checksum, and kept. `checked`:
        the caller has just looked at the file's guard."""
        if not checked:
            self._check()
        if self.compiled is not None:
            return self._read_compiled(i, self._inflater(i))
        number, paragraph, part, start, end, page = [field[i] for field in self._fields]
        raw = self._block(i)
        passage = self._passage(i, raw, number, paragraph, part, start, end, page, self._crc[i])
        return self._kept.keep(i, passage)

    def _read_compiled(self, i: int, inflate: Callable[[memoryview], bytes]) -> Passage:
        """_read's compiled path (the file's guard looked at), with this thread's `inflate`:
        the passage and its brief's citation row in one call, the row's fields kept for the
        passage's citation."""
        reader, cites = self.compiled, self.briefs.cite_reader
        assert reader is not None and cites is not None  # the caller's path: compiled
        try:
            id_, brief, paragraph, part, start, end, text, page, cited = reader.read_cited(
                i, inflate, cites
            )
        except _reads.Damaged as exc:  # type: ignore[union-attr]
            raise damaged(str(exc)) from None
        if cited is not None:  # else its row is no citation's: refused when cited
            self.briefs.keep_cited(brief, cited)
        passage = Passage(id_, brief, paragraph, part, start, end, text, page)
        return self._kept.keep(i, passage)

    def _inflater(self, i: int) -> Callable[[memoryview], bytes]:
        """This thread's decompress, for the compiled read of passage i (refused as its
        block, as the Python path's decode would be, when the dictionary is not one)."""
        try:
            return self._reader.inflater()
        except BlockError as exc:
            raise damaged(f"text block {i}: {exc}") from exc

    def _passage(
        self,
        i: int,
        raw: bytes,
        number: int,
        paragraph: int,
        part: int,
        start: int,
        end: int,
        page: int,
        crc: int,
    ) -> Passage:
        """Passage i of brief `number` with text `raw`; never quote a damaged passage: its
        text and citation must match their checksum."""
        if passage_crc(raw, number, paragraph, part, start, end, page) != crc:
            raise damaged(f"passage {i} fails its checksum")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise damaged(f"passage {i} is not UTF-8") from exc
        brief = self.briefs.id_at(number, checked=True)  # its row checked with the id
        # Positional, in the fields' order (keywords: 0.4 us more a passage).
        return Passage(
            passage_id(brief, paragraph, part), brief, paragraph, part, start, end, text, page
        )

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def _block(self, i: int) -> bytes:
        """The decoded text of passage i's block, checked for length."""
        try:
            return self._reader.decompress(
                self._text[self._blocks[i] : self._blocks[i + 1]], self._ptr[i + 1] - self._ptr[i]
            )
        except BlockError as exc:
            raise damaged(f"text block {i}: {exc}") from exc

    def brief_of(self, i: int) -> str:
        """The brief of passage i, read without decoding its text block."""
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.briefs.id_at(int(self.arrays["p_brief"][i]))

    def of_brief(self, brief_id: str) -> range:
        """The positions of the passages of `brief_id` (empty when unknown)."""
        b = self.briefs.number(brief_id)
        return range(0) if b is None else range(int(self._first[b]), int(self._first[b + 1]))

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, or None."""
        parsed = parse_passage_id(passage_id)
        if parsed is None:
            return None
        brief, paragraph, part = parsed
        span = self.of_brief(brief)
        paragraphs = self.arrays["p_paragraph"][span.start : span.stop]
        parts = self.arrays["p_part"][span.start : span.stop]
        hits = np.flatnonzero((paragraphs == paragraph) & (parts == part))
        return span.start + int(hits[0]) if hits.size else None


class TokenTable(Sequence[list[str]]):
    """Each passage's tokens, tokenised again from its text when asked for: the file keeps
    no forward index (a third of its size in format 4); nothing in a search reads it."""

    def __init__(self, passages: Sequence[Passage], alias_groups: list[list[str]]) -> None:
        self.passages = passages
        self._terms: Callable[[str], list[str]] = (
            Aliases(alias_groups).index_terms if alias_groups else tokenize
        )

    def __len__(self) -> int:
        return len(self.passages)

    def _tokens(self, i: int) -> list[str]:
        """Passage i's index terms, from the text it was indexed with (with its neighbours)."""
        start = max(i - 1, 0)
        return self._terms(indexed_text(list(self.passages[start : i + 2]), i - start))

    @overload
    def __getitem__(self, i: int) -> list[str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...
    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return [self._tokens(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._tokens(i)
