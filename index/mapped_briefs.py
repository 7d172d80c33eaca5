"""A mapped index's briefs: each a JSON record, parsed when a BriefInfo is asked for, and a
citation row (its title, url, publisher and paragraph count), read with the brief's id;
both checked with the id against their checksum (index/mapped_check.py).

Parsed records are kept; so are the citations of the briefs whose passages were read last
(a passage read reads its brief's row for the id, and a search cites what it read).
"""

from __future__ import annotations

import functools
import json
import json.scanner
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from index.errors import IndexUnreadable
from index.kept import Kept
from index.library import BriefInfo, Cited
from index.mapped_check import FileGuard, brief_crc, damaged
from index.postings_build import Array
from index.records import from_fields
from index.sorted_keys import sorted_finder

if TYPE_CHECKING:
    from index._reads import BriefReader

_reads: ModuleType | None
try:  # the compiled reads (setup.py); without them, the same reads and checks in Python
    import index._reads as _reads
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _reads = None

# Brief records kept (/sources and a brief's facts ask for the same ones again), and the
# citations of the briefs of the passages read last (a search cites its ten hits).
_CACHED_BRIEFS = 4096
_CACHED_CITED = 256
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

    def named_cited(self, number: int) -> tuple[str, Cited]:
        """The id of the brief at `number` and its row's citation fields (cite_row),
        checked: one read where a passage's id and its citation took two."""
        if self.compiled is not None:
            try:
                fields = self.compiled.cited(number)
            except _reads.Damaged as exc:  # type: ignore[union-attr]
                raise damaged(str(exc)) from None
            return fields[0], _made_cited(fields[1:])
        brief_id, row = self.read(number)
        return brief_id, cited_fields(brief_id, row)


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
        # A brief's position by its id: its place among the sorted ids, then brief_pos.
        self._find = sorted_finder(arrays["brief_sorted"])
        self._pos = int_view(arrays["brief_pos"])
        self.guard = guard
        self._kept: Kept[int, BriefInfo] = Kept(_CACHED_BRIEFS)
        self._cited: dict[str, Cited] = {}
        # The compiled reader of the citation rows: a passage read reads its brief's too.
        self.cite_reader = self._cites.compiled

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

    def _info(self, number: int) -> BriefInfo:
        """The brief at position `number` (found by its id through number()), its record
        checked and parsed (kept: /sources and the facts of a brief ask for the same ones
        again)."""
        info = self._kept.get(number)
        if info is not None:
            return info
        brief_id, record = self._read(number)
        try:
            info = from_fields(BriefInfo, _parsed(record.decode("utf-8")))
        except (ValueError, TypeError) as exc:
            raise damaged(f"brief {brief_id!r}: {exc.__class__.__name__}") from exc
        if info.id != brief_id:
            raise damaged(f"brief {brief_id!r} holds the record of another")
        return self._kept.keep(number, info)

    def _read(self, number: int) -> tuple[str, bytes]:
        """The id and JSON record of the brief at `number`, checked against their checksum."""
        self._check()
        return self._records.read(number)

    def cited(self, brief_id: str) -> Cited:
        """What a citation takes of `brief_id` (KeyError when unknown): kept from the read
        of one of its passages, else read from its row, checked with its id (no record
        parsed)."""
        cited = self._cited.get(brief_id)
        if cited is not None:
            return cited
        number = self.number(brief_id)  # the file's guard looked at
        if number is None:
            raise KeyError(brief_id)
        return self._cites.named_cited(number)[1]

    def number(self, brief_id: str) -> int | None:
        """The position of `brief_id` in the file, or None (not kept: a compiled search of
        the sorted ids costs less than keeping and forgetting the ten a search cites)."""
        self._check()
        i = self._find(brief_id.encode("utf-8"))
        return None if i is None else self._pos[i]

    def id_at(self, number: int, checked: bool = False) -> str:
        """The id of the brief at position `number`, checked with its citation's row (a
        passage read asks it; its record is not parsed), whose fields are kept for the
        passage's citation. `checked`: the caller has just checked the file's guard (a
        passage read has: a second look was a third of a search's fstat calls)."""
        if not checked:
            self._check()
        try:
            brief_id, cited = self._cites.named_cited(number)
        except IndexUnreadable:  # the row fails its checksum (raised again), or is no
            return self._cites.read(number)[0]  # citation's: refused only when cited
        self._keep(brief_id, cited)
        return brief_id

    def keep_cited(self, brief_id: str, fields: tuple[str, str | None, str | None, int]) -> None:
        """Keep what a passage's read took of its brief's citation row, for the passage's
        citation (the last _CACHED_CITED briefs', all forgotten at once at the limit: a
        miss reads the row)."""
        self._keep(brief_id, _made_cited(fields))

    def _keep(self, brief_id: str, cited: Cited) -> None:
        """Keep `cited` for brief_id: id_at's row gives a Cited already, not made again."""
        if len(self._cited) >= _CACHED_CITED:
            self._cited.clear()
        self._cited[brief_id] = cited
