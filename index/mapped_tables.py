"""The mapped index's tables: briefs, passages and tokens as numpy arrays, read when asked for.

Every read is checked (index/mapped_check.py): the file unchanged since it was mapped, and
the passage or brief against its checksum, so damage is reported, never quoted. A few
values read are kept (passages, brief records and positions): a search reads the same ones
several times, and a kept value, checked when read, is a copy that reads nothing more.
"""

from __future__ import annotations

import functools
import json
import json.scanner
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, overload

import numpy as np

from index.aliases import Aliases
from index.kept import Kept
from index.library import BriefInfo, Cited
from index.mapped_check import TEXT_BLOCK, FileGuard, brief_crc, damaged, passage_crc
from index.passages import Passage, indexed_text, parse_passage_id, passage_id
from index.postings_build import Array
from index.records import from_fields
from index.sorted_keys import find_sorted
from index.text_blocks import FRAME_SIZE, BlockError, BlockReader, DecodeError
from index.tokenize import tokenize

if TYPE_CHECKING:
    from index._reads import BriefReader, PassageReader

_reads: ModuleType | None
try:  # the compiled reads (setup.py); without them, the same reads and checks in Python
    import index._reads as _reads
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _reads = None

_CACHED_BLOCKS = 16  # decoded text blocks kept (a search shows neighbouring passages)
# Passages kept as read: a search reads its leading candidates twice (their phrases, then
# their hits), and each read is a block decode and two checksums.
_CACHED_PASSAGES = 64
# Brief records kept (/sources and a brief's facts ask for the same ones again), and
# positions by id (each citation asks for its brief's).
_CACHED_BRIEFS = 4096
# A passage record's fields, in passage_crc's order.
_FIELDS = ("p_brief", "p_paragraph", "p_part", "p_start", "p_end", "p_page")
# json.loads's own scanner, without the layers around it (1.7 of a brief record's 3.3 us).
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type] # typeshed


def int_view(array: Array) -> memoryview:
    """`array` as a memoryview whose items are Python ints: 0.05 us a read where a numpy
    scalar and its int() take 0.3 us, and a passage read takes eight (a copy only where
    the file's byte order is not the machine's)."""
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("=")).data


def _parsed(text: str) -> object:
    """json.loads(text): the scanner's value when it is the whole text, else json.loads's
    own answer or error (one more pass over a record that is not what briefbot writes)."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


class _Records:
    """One record a brief, each checked with the brief's id against its checksum (CRC-32):
    the briefs' JSON records (brief_*) or their citations' rows (cite_*)."""

    def __init__(self, blob: Array, ptr: Array, crc: Array, ids: Array) -> None:
        # Memoryviews, as the passages' (int_view): the Python path reads three of each.
        self._blob = np.ascontiguousarray(blob, dtype=np.uint8).data
        self._ptr, self._crc, self._ids = int_view(ptr), int_view(crc), ids
        self.compiled: BriefReader | None = None
        if _reads is not None:  # the same reads and checks, 0.4 us where Python took 6
            self.compiled = _reads.BriefReader(
                self._blob, self._ptr, self._crc, np.ascontiguousarray(ids)
            )

    def read(self, number: int) -> tuple[str, bytes]:
        """The id and record of the brief at `number`, checked against their checksum (the
        caller has looked at the file's guard)."""
        if self.compiled is not None:
            try:
                return self.compiled.read(number)
            except _reads.Damaged as exc:  # type: ignore[union-attr]
                raise damaged(str(exc)) from None
        record = bytes(self._blob[self._ptr[number] : self._ptr[number + 1]])
        if brief_crc(bytes(self._ids[number]), record) != self._crc[number]:
            raise damaged(f"the record of brief {number} fails its checksum")
        try:
            return bytes(self._ids[number]).decode("utf-8"), record
        except UnicodeDecodeError:
            raise damaged(f"the id of brief {number} is not UTF-8") from None

    def cited(self, number: int) -> Cited:
        """The citation fields of the row of the brief at `number` (cite_row), checked."""
        if self.compiled is not None:
            try:
                return _made_cited(self.compiled.cited(number))
            except _reads.Damaged as exc:  # type: ignore[union-attr]
                raise damaged(str(exc)) from None
        return cited_fields(*self.read(number))


def cited_fields(brief_id: str, row: bytes) -> Cited:
    """The fields of a citation's row (index/mapped_arrays.py cite_row), checked to be one,
    as index/_reads.c's BriefReader.cited reads them where it was compiled."""
    fields: list[str | None] = []
    at = 0
    try:
        for k in range(3):
            tag, at = row[at], at + 1
            if tag == 0 and k:
                fields.append(None)
                continue
            if tag != 1 or len(row) - at < 4:
                raise ValueError
            size, at = int.from_bytes(row[at : at + 4], "little"), at + 4
            if size > len(row) - at:
                raise ValueError
            fields.append(row[at : at + size].decode("utf-8"))
            at += size
        if len(row) - at != 8:
            raise ValueError
    except (IndexError, ValueError):  # short, a wrong tag or length, not UTF-8
        raise damaged(f"brief {brief_id!r}: its citation is not one") from None
    title, url, publisher = fields
    return _made_cited((title, url, publisher, int.from_bytes(row[at:], "little", signed=True)))


# A Cited from its four fields in order, made by tuple.__new__ without a named tuple's
# Python-level __new__ (ten a search).
_made_cited: Callable[[tuple[str | None, str | None, str | None, int]], Cited]
_made_cited = functools.partial(tuple.__new__, Cited)


class BriefTable(Mapping[str, BriefInfo]):
    """Briefs by id, each a JSON record in the file, parsed when asked for; and apart, what
    a citation takes of each (cited), read without the record."""

    def __init__(self, arrays: Mapping[str, Array], guard: FileGuard | None = None) -> None:
        self._ids = arrays["brief_ids"]  # in file order: passages refer to briefs by number
        self._records = _Records(
            arrays["brief_json"], arrays["brief_ptr"], arrays["brief_crc"], self._ids
        )
        self._cites = _Records(
            arrays["cite_rows"], arrays["cite_ptr"], arrays["cite_crc"], self._ids
        )
        self._sorted, self._pos = arrays["brief_sorted"], arrays["brief_pos"]
        self.guard = guard
        self._kept_numbers: Kept[str, int] = Kept(_CACHED_BRIEFS)
        self._kept: Kept[int, BriefInfo] = Kept(_CACHED_BRIEFS)

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        self._check()
        return (b.decode("utf-8") for b in self._ids.tolist())

    def _check(self) -> None:
        # Before any read of the mapping: a file truncated in place would crash it (SIGBUS).
        if self.guard is not None:
            self.guard.check()

    def __getitem__(self, brief_id: str) -> BriefInfo:
        number = self.number(brief_id)
        if number is None:
            raise KeyError(brief_id)
        info = self._info(number)
        if info.id != brief_id:
            raise damaged(f"brief {brief_id!r} holds the record of another")
        return info

    def _info(self, number: int, checked: bool = False) -> BriefInfo:
        """The brief at position `number`, its record checked and parsed (kept: /sources
        and the facts of a brief ask for the same ones again). `checked`: the caller has
        just checked the file's guard."""
        info = self._kept.get(number)
        if info is not None:
            return info
        brief_id, record = self._read(number, checked)
        try:
            info = from_fields(BriefInfo, _parsed(record.decode("utf-8")))
        except (ValueError, TypeError) as exc:
            raise damaged(f"brief {brief_id!r}: {exc.__class__.__name__}") from exc
        if info.id != brief_id:
            raise damaged(f"brief {brief_id!r} holds the record of another")
        self._kept_numbers.keep(brief_id, number)
        return self._kept.keep(number, info)

    def _read(self, number: int, checked: bool = False) -> tuple[str, bytes]:
        """The id and JSON record of the brief at `number`, checked against their checksum.
        `checked`: the caller has just checked the file's guard."""
        if not checked:
            self._check()
        return self._records.read(number)

    def cited(self, brief_id: str) -> Cited:
        """What a citation takes of `brief_id` (KeyError when unknown), from its row, checked
        with its id: no record parsed, nothing kept (a search cites ten passages of briefs
        mostly read for the first time)."""
        number = self.number(brief_id)
        if number is None:
            raise KeyError(brief_id)
        self._check()
        return self._cites.cited(number)

    def number(self, brief_id: str) -> int | None:
        """The position of `brief_id` in the file, or None."""
        kept = self._kept_numbers.get(brief_id)
        if kept is not None:
            return kept
        self._check()
        i = find_sorted(self._sorted, brief_id.encode("utf-8"))
        if i is None:
            return None
        number = int(self._pos[i])
        self._kept_numbers.keep(brief_id, number)
        return number

    def id_at(self, number: int, checked: bool = False) -> str:
        """The id of the brief at position `number`, checked with its citation's row (a
        passage read asks it; its record is not parsed). `checked`: the caller has just
        checked the file's guard (a passage read has: a second look was a third of a
        search's fstat calls)."""
        if not checked:
            self._check()
        return self._cites.read(number)[0]


class PassageTable(Sequence[Passage]):
    """Passages held as arrays (text in compressed blocks); a Passage is made when asked for."""

    def __init__(self, arrays: Mapping[str, Array], briefs: BriefTable) -> None:
        self.arrays = arrays
        self.briefs = briefs  # its guard is checked before every read of the file
        self._ptr = int_view(arrays["text_ptr"])  # offsets in the text as if uncompressed
        # Sliced as a memoryview: a numpy slice and its copy cost twice as much a block.
        self._text = np.ascontiguousarray(arrays["text"], dtype=np.uint8).data
        self._blocks = int_view(arrays["text_block"])  # block b: _text[_blocks[b]:_blocks[b + 1]]
        self._fields = [int_view(arrays[k]) for k in _FIELDS]
        self._crc = int_view(arrays["p_crc"])
        self._reader = BlockReader(arrays["text_dict"].tobytes())
        self._cache: Kept[int, bytes] = Kept(_CACHED_BLOCKS)
        self._kept: Kept[int, Passage] = Kept(_CACHED_PASSAGES)
        self.compiled: PassageReader | None = None
        if _reads is not None:  # the same reads and checks: 7 us a cold read against 17
            self.compiled = _reads.PassageReader(
                self._text,
                self._blocks,
                self._ptr,
                *self._fields,
                self._crc,
                FRAME_SIZE,
                DecodeError,
                TEXT_BLOCK,
                _CACHED_BLOCKS,
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
        return [kept.get(i) or self._read(i, checked=True) for i in ids]

    def _read_span(self, start: int, stop: int) -> list[Passage]:
        """Passages start to stop, each checked as `_read` checks one (the file's guard once a
        brief): a refresh takes every unchanged brief's passages from the file it replaces,
        brief after brief."""
        self._check()
        a = self.arrays
        columns = [a[k][start:stop].tolist() for k in _FIELDS]
        fields = zip(*columns, a["p_crc"][start:stop].tolist(), strict=True)
        bounds = self._ptr[start : stop + 1].tolist()
        passages = []
        brief = columns[0][0] if columns[0] else -1  # the first brief's look was just above
        for i, (number, paragraph, part, first, last, page, crc) in enumerate(fields, start):
            if number != brief:
                self._check()
                brief = number
            block = self._block(i // TEXT_BLOCK)
            base = self._ptr[i - i % TEXT_BLOCK]
            raw = block[bounds[i - start] - base : bounds[i - start + 1] - base]
            passages.append(self._passage(i, raw, number, paragraph, part, first, last, page, crc))
        return passages

    def _read(self, i: int, checked: bool = False) -> Passage:
        """Passage i from the arrays, checked against its checksum, and kept. `checked`:
        the caller has just looked at the file's guard."""
        if not checked:
            self._check()
        if self.compiled is not None:
            try:
                text, number, paragraph, part, start, end, page = self.compiled.read(
                    i, self._reader.inflater()
                )
            except _reads.Damaged as exc:  # type: ignore[union-attr]
                raise damaged(str(exc)) from None
            except BlockError as exc:  # the dictionary is not one
                raise damaged(f"text block {i // TEXT_BLOCK}: {exc}") from exc
            passage = self._made(number, paragraph, part, start, end, text, page)
            return self._kept.keep(i, passage)
        number, paragraph, part, start, end, page = [field[i] for field in self._fields]
        block = self._block(i // TEXT_BLOCK)
        ptr = self._ptr
        first = ptr[i - i % TEXT_BLOCK]
        raw = block[ptr[i] - first : ptr[i + 1] - first]
        passage = self._passage(i, raw, number, paragraph, part, start, end, page, self._crc[i])
        return self._kept.keep(i, passage)

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
        return self._made(number, paragraph, part, start, end, text, page)

    def _made(
        self, number: int, paragraph: int, part: int, start: int, end: int, text: str, page: int
    ) -> Passage:
        """The Passage of checked fields and text, under the id of brief `number` (whose
        record that checks): both read paths end here."""
        brief = self.briefs.id_at(number, checked=True)
        # Positional, in the fields' order (keywords: 0.4 us more a passage).
        id_ = passage_id(brief, paragraph, part)
        return Passage(id_, brief, paragraph, part, start, end, text, page)

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def _block(self, b: int) -> bytes:
        """The decoded text of block b, checked for length (a few kept: neighbours share one)."""
        raw = self._cache.get(b)
        if raw is not None:
            return raw
        ptr, first = self._ptr, b * TEXT_BLOCK
        size = ptr[min(first + TEXT_BLOCK, len(ptr) - 1)] - ptr[first]
        try:
            raw = self._reader.decompress(self._text[self._blocks[b] : self._blocks[b + 1]], size)
        except BlockError as exc:
            raise damaged(f"text block {b}: {exc}") from exc
        self._cache.keep(b, raw)
        return raw

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
