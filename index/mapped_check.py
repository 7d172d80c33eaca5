"""Checks of a mapped index file before and while it is served: nothing in it is trusted.

Three layers (docs/reliability.md, "Index integrity"):
- structure, at load and vectorised: each array's dtype, shape and place in the file, every
  pointer array monotonic and ending where its target does, every id in range, scores
  finite. A file that passes cannot make a read go out of bounds or raise;
- checksums: a CRC-32 of the manifest (always checked), of each array (checked at load when
  the file is small enough to read whole, FULL_CHECK_BYTES), and of each passage (its text
  with its brief, paragraph, part and span) and each brief record, checked every time one
  is read, so a damaged passage is never quoted nor cited under a wrong paragraph;
- the file itself: a large file is mapped, and the mapping would die of SIGBUS if another
  program truncated the file in place; FileGuard notices the change (fstat of the kept
  descriptor) before each search, and before each read made outside one, and says so
  with IndexUnreadable.

CRC-32 catches damage (bit rot, a bad copy, an editor), not an attacker: whoever can write
the index file can write the briefs it is built from.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import struct
import threading
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import numpy as np

from index.errors import IndexUnreadable
from index.postings_build import Array

# Postings from which two threads check them at load.
_SHARED_CHECK = 1 << 22

_kernel: ModuleType | None
try:  # the compiled check of the postings (setup.py); without it, numpy's
    import index._postings as _kernel
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _kernel = None

# Files up to this size are read into memory and every array's checksum is checked at load
# (CRC-32 runs at about 0.5 GB/s here: 64 MiB costs ~0.13 s). Larger files are mapped; their
# arrays are checked for structure, and passages and briefs by their own checksums when read.
FULL_CHECK_BYTES = 64 << 20

# name: (dtype, dimensions); "S" is any byte-string width.
SPECS: dict[str, tuple[str, int]] = {
    "text_ptr": ("<i8", 1),
    "text": ("|u1", 1),
    "text_block": ("<i8", 1),
    "text_dict": ("|u1", 1),
    "p_brief": ("<i4", 1),
    "p_paragraph": ("<i4", 1),
    "p_part": ("<i4", 1),
    "p_start": ("<i8", 1),
    "p_end": ("<i8", 1),
    "p_page": ("<i4", 1),
    "p_crc": ("<u4", 1),
    "brief_json": ("|u1", 1),
    "brief_ptr": ("<i8", 1),
    "brief_ids": ("S", 1),
    "brief_sorted": ("S", 1),
    "brief_pos": ("<i8", 1),
    "brief_crc": ("<u4", 1),
    "cite_rows": ("|u1", 1),
    "cite_ptr": ("<i8", 1),
    "cite_crc": ("<u4", 1),
    "ctx_terms": ("S", 1),
    "ctx_ptr": ("<i8", 1),
    "ctx_brief": ("<i4", 1),
    "terms": ("S", 1),
    "post_ptr": ("<i8", 1),
    "post_doc": ("<i4", 1),
    "post_score": ("<u2", 1),
    "post_tf": ("|u1", 1),
    "tf_over_at": ("<i8", 1),
    "tf_over": ("<i4", 1),
    "post_unit": ("<f8", 1),
    "max_score": ("<f8", 1),
    "doc_words": ("<i4", 1),
    "sent_ptr": ("<i8", 1),
    "sent_vec": ("<f2", 2),
}
OPTIONAL = frozenset({"sent_ptr", "sent_vec"})

_PASSAGE_FIELDS = struct.Struct("<iiiqqi")  # brief number, paragraph, part, start, end, page


def passage_crc(
    text: bytes, brief: int, paragraph: int, part: int, start: int, end: int, page: int
) -> int:
    """The checksum of one passage: its text and everything its citation is made from."""
    fields = _PASSAGE_FIELDS.pack(brief, paragraph, part, start, end, page)
    return zlib.crc32(text, zlib.crc32(fields))


def brief_crc(brief_id: bytes, record: bytes) -> int:
    """The checksum of one brief: its id and its JSON record."""
    return zlib.crc32(record, zlib.crc32(brief_id + b"\0"))


def passage_crcs(arrays: Mapping[str, Array], blob: bytes) -> Array:
    """Every passage's checksum (p_crc), from the passage arrays and the text uncompressed."""
    ptr = arrays["text_ptr"]
    fields = zip(
        arrays["p_brief"].tolist(),
        arrays["p_paragraph"].tolist(),
        arrays["p_part"].tolist(),
        arrays["p_start"].tolist(),
        arrays["p_end"].tolist(),
        arrays["p_page"].tolist(),
        strict=True,
    )
    bounds = ptr.tolist()
    crcs = [passage_crc(blob[bounds[i] : bounds[i + 1]], *f) for i, f in enumerate(fields)]
    return np.array(crcs, dtype=np.uint32)


def brief_crcs(
    arrays: Mapping[str, Array], records: str = "brief_json", ptr: str = "brief_ptr"
) -> Array:
    """Every brief's checksum (brief_crc), from the brief arrays: of its id and its record
    in `records` (its JSON record; "cite_rows", its citation's row)."""
    blob, bounds = arrays[records].tobytes(), arrays[ptr].tolist()
    ids = arrays["brief_ids"].tolist()
    crcs = [brief_crc(b, blob[bounds[i] : bounds[i + 1]]) for i, b in enumerate(ids)]
    return np.array(crcs, dtype=np.uint32)


def array_crc(array: Array) -> int:
    """The checksum of an array's bytes (no copy when it is contiguous)."""
    return zlib.crc32(np.ascontiguousarray(array).reshape(-1).view(np.uint8).data)


def damaged(why: str) -> IndexUnreadable:
    """The error for a file found damaged, with what was wrong."""
    return IndexUnreadable(f"it is damaged ({why})")


def check_layout(layout: object, room: int) -> dict[str, tuple[np.dtype[Any], list[int], int]]:
    """Each array's (dtype, shape, offset) from the manifest, each checked to lie within the
    `room` bytes after the header, apart from the others; else IndexUnreadable."""
    if not isinstance(layout, dict) or not set(SPECS) - OPTIONAL <= set(layout) <= set(SPECS):
        raise damaged("the list of arrays is wrong")
    if ("sent_ptr" in layout) != ("sent_vec" in layout):
        raise damaged("half of the sentence vectors")
    checked: dict[str, tuple[np.dtype[Any], list[int], int]] = {}
    spans = []
    for name, spec in layout.items():
        want, dims = SPECS[name]
        if not isinstance(spec, dict):
            raise damaged(f"array {name} has no description")
        dtype, shape, offset = spec.get("dtype"), spec.get("shape"), spec.get("offset")
        ok_dtype = isinstance(dtype, str) and (
            dtype == want or (want == "S" and dtype[:2] == "|S" and dtype[2:].isdigit())
        )
        ok_shape = (
            isinstance(shape, list)
            and len(shape) == dims
            and all(type(n) is int and 0 <= n < 1 << 40 for n in shape)
        )
        if not ok_dtype or not ok_shape or type(offset) is not int or offset < 0:
            raise damaged(f"array {name} is described wrongly")
        assert isinstance(dtype, str) and isinstance(shape, list)  # checked just above
        dt = np.dtype(dtype)
        if dt.itemsize == 0 or dt.itemsize > 4096:
            raise damaged(f"array {name} has a wrong width")
        size = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
        if offset % dt.alignment or offset + size > room:
            raise damaged(f"array {name} lies outside the file")
        spans.append((offset, offset + size, name))
        checked[name] = (dt, shape, offset)
    spans.sort()
    for (_, end, a), (start, _, b) in itertools.pairwise(spans):
        if start < end:
            raise damaged(f"arrays {a} and {b} overlap")
    return checked


def _pointer(arrays: Mapping[str, Array], name: str, count: int, target: int) -> None:
    """`arrays[name]` is count + 1 offsets from 0 to `target`, never decreasing."""
    ptr = arrays[name]
    if len(ptr) != count + 1 or ptr[0] != 0 or ptr[-1] != target:
        raise damaged(f"{name} does not match what it points into")
    if count and not (ptr[1:] >= ptr[:-1]).all():
        raise damaged(f"{name} goes backwards")


def _longest_step(ptr: Array, chunk: int = 1 << 16) -> int:
    """The largest ptr[i + 1] - ptr[i], a chunk at a time: the differences of 10^6 offsets
    at once are 8 MB that the allocator kept after load (RSS after load +7.5 MiB)."""
    last = len(ptr) - 1
    return max(
        int((ptr[i + 1 : min(i + chunk, last) + 1] - ptr[i : min(i + chunk, last)]).max())
        for i in range(0, last, chunk)
    )


def _in_range(array: Array, low: int, high: int, name: str) -> None:
    """Every value of `array` lies in [low, high)."""
    if array.size and (int(array.min()) < low or int(array.max()) >= high):
        raise damaged(f"{name} holds a value out of range")


def check_arrays(arrays: Mapping[str, Array], longest_passage: int) -> None:
    """The arrays agree with each other: sizes, pointers, ids, order, no passage longer
    than `longest_passage` bytes; else IndexUnreadable."""
    n, briefs, vocab = len(arrays["p_brief"]), len(arrays["brief_ids"]), len(arrays["terms"])
    for name in ("p_paragraph", "p_part", "p_start", "p_end", "p_page", "p_crc"):
        if len(arrays[name]) != n:
            raise damaged(f"{name} has the wrong length")
    for name in ("brief_sorted", "brief_pos", "brief_crc", "cite_crc"):
        if len(arrays[name]) != briefs:
            raise damaged(f"{name} has the wrong length")
    if n == 0 or len(arrays["max_score"]) != 2 * vocab or len(arrays["post_unit"]) != 2 * vocab:
        raise damaged("the passages or the vocabulary are missing")
    nnz = len(arrays["post_doc"])
    if len(arrays["post_score"]) != nnz or len(arrays["post_tf"]) != nnz:
        raise damaged("the postings disagree in length")
    if len(arrays["doc_words"]) != n or len(arrays["tf_over"]) != len(arrays["tf_over_at"]):
        raise damaged("doc_words or tf_over has the wrong length")
    # The uncompressed offsets: their end is checked against each block as it is decoded,
    # and each passage's length here, as it sizes the buffer a block is decoded into (a
    # flipped bit in the last offset asked for a terabyte: MemoryError, not a message).
    text_ptr = arrays["text_ptr"]
    _pointer(arrays, "text_ptr", n, int(text_ptr[-1]) if len(text_ptr) else 0)
    if _longest_step(text_ptr) > longest_passage:  # n > 0: refused above otherwise
        raise damaged("a passage is longer than the index's settings allow")
    _pointer(arrays, "text_block", n, len(arrays["text"]))  # a block a passage
    _pointer(arrays, "brief_ptr", briefs, len(arrays["brief_json"]))
    _pointer(arrays, "cite_ptr", briefs, len(arrays["cite_rows"]))
    _in_range(arrays["tf_over_at"], 0, nnz, "tf_over_at")
    _in_range(arrays["doc_words"], 0, 1 << 31, "doc_words")
    _pointer(arrays, "post_ptr", 2 * vocab, len(arrays["post_doc"]))
    p_brief = arrays["p_brief"]
    _in_range(p_brief, 0, briefs, "p_brief")
    if not (p_brief[1:] >= p_brief[:-1]).all():
        raise damaged("a brief's passages are not together")
    # Negative: a caption (index/passages.py).
    _in_range(arrays["p_paragraph"], -(1 << 31), 1 << 31, "p_paragraph")
    _in_range(arrays["p_part"], 0, 1 << 31, "p_part")
    _in_range(arrays["p_page"], 0, 1 << 31, "p_page")
    if (arrays["p_start"] < 0).any() or (arrays["p_end"] < arrays["p_start"]).any():
        raise damaged("a passage's span is wrong")
    _in_range(arrays["brief_pos"], 0, briefs, "brief_pos")
    if not (arrays["brief_ids"][arrays["brief_pos"]] == arrays["brief_sorted"]).all():
        raise damaged("the sorted brief ids do not match the briefs")
    _strictly_sorted(arrays["brief_sorted"], "brief_sorted")
    _pointer(arrays, "ctx_ptr", len(arrays["ctx_terms"]), len(arrays["ctx_brief"]))
    _strictly_sorted(arrays["ctx_terms"], "ctx_terms")
    _postings_in_order(arrays["ctx_brief"], arrays["ctx_ptr"], briefs, "ctx_brief")
    _strictly_sorted(arrays["terms"], "terms")
    _postings_in_order(arrays["post_doc"], arrays["post_ptr"], n)
    for name in ("post_unit", "max_score"):
        if not np.isfinite(arrays[name]).all():
            raise damaged(f"{name} holds a value that is not a number")
    if "sent_ptr" in arrays:
        _pointer(arrays, "sent_ptr", n, len(arrays["sent_vec"]))
        if not np.isfinite(arrays["sent_vec"]).all():
            raise damaged("a sentence vector holds a value that is not a number")


def _strictly_sorted(array: Array, name: str) -> None:
    if array.size > 1 and not (array[1:] > array[:-1]).all():
        raise damaged(f"{name} is out of order")


def _ordered_in_halves(kernel: ModuleType, ptr: Array, doc: Array, n: int) -> bool:
    """kernel.ordered over all the slices of `ptr`: the first half of the postings here,
    the second in another thread when there are enough to be worth one."""
    if len(ptr) < 3 or int(ptr[-1]) < _SHARED_CHECK:
        return bool(kernel.ordered(ptr, doc, n))
    mid = int(np.searchsorted(ptr, int(ptr[-1]) // 2))  # a slice boundary near the middle
    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(kernel.ordered, ptr[mid:], doc, n)
        first = bool(kernel.ordered(ptr[: mid + 1], doc, n))
        return first and bool(second.result())


def _postings_in_order(doc: Array, ptr: Array, n: int, name: str = "post_doc") -> None:
    """Within each slice of `ptr` (a term's tier; a context term's briefs) the numbers
    ascend (searchsorted relies on it), and each is one of n (passages; briefs): arrays
    are indexed by them."""
    if _kernel is not None:
        # One pass in C: 90 million postings at a million passages, read on every load,
        # half of them by a second thread (the kernel lets go of the GIL): 140 -> 70 ms.
        if not _ordered_in_halves(_kernel, ptr, doc, n):
            raise damaged(f"{name} is out of order or out of range")
        return
    _in_range(doc, 0, n, name)
    if doc.size < 2:
        return
    rises = doc[1:] > doc[:-1]  # rises[j]: doc[j + 1] follows doc[j] within a slice
    starts = ptr[(ptr > 0) & (ptr < doc.size)]
    rises[starts - 1] = True  # a new slice may start lower
    if not rises.all():
        raise damaged(f"{name} is out of order")


class _Looking(threading.local):
    """How many looks (FileGuard.looked) the current thread is inside."""

    depth = 0


class FileGuard:
    """Notices when the file under a mapping is changed in place by another program.

    briefbot swaps index files with os.replace: the mapped inode is never written again.
    `cp other data/index.json` writes the same inode instead; reading a page past its new
    end kills the process with SIGBUS. `check` compares the kept descriptor's size and
    times with those at load, before every read; inside `looked()` (a search), the thread's
    reads rely on the one look it began with.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._stamp = self._now()
        self._looking = _Looking()

    def _now(self) -> tuple[int, int, int]:
        info = os.fstat(self.fd)
        return info.st_size, info.st_mtime_ns, info.st_ctime_ns

    def check(self) -> None:
        """IndexUnreadable when the file changed since it was mapped (not looked at again
        inside a look of this thread: it began with one)."""
        if self._looking.depth:
            return
        try:
            same = self._now() == self._stamp
        except OSError:
            same = False
        if not same:
            raise IndexUnreadable("another program changed the file in place while it was served")

    def looked(self) -> Look:
        """A context in which this thread's reads rely on one look at the file, taken as it
        is entered: a search reads the file six or seven times, and an fstat amid a search
        takes 3.5 us. A write landing during the search is not seen until the next one."""
        return Look(self)

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class Look:
    """FileGuard.looked(): the guard checked on entry, this thread's checks skipped inside."""

    def __init__(self, guard: FileGuard) -> None:
        self._guard = guard

    def __enter__(self) -> None:
        self._guard.check()
        self._guard._looking.depth += 1

    def __exit__(self, *exc: object) -> None:
        self._guard._looking.depth -= 1
