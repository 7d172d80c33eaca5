"""The mapped index format, for large libraries: a JSON manifest and raw arrays, memory-mapped.

Layout: 16-byte magic, the manifest's length (8 bytes, little-endian) and CRC-32
(4 bytes), the manifest (UTF-8 JSON: settings, sources, and each array's dtype, shape,
offset and CRC-32), then each array's bytes at a 64-byte aligned offset. Nothing in
the file is trusted: index/mapped_check.py checks it at load and at every read. Loading maps the
file and makes numpy views over it: nothing is parsed, tokenised or copied (a
brief's metadata is one JSON record, read when a citation needs it), and the OS
pages in only what queries touch. No pickle: arrays are plain bytes
of fixed dtypes. Written like store.py: a temporary file beside it, then os.replace.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import weakref
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from index.aliases import Aliases
from index.draft import Draft
from index.encode import encode_texts
from index.engine_numpy import ARRAY_NAMES, NumpyEngine
from index.engines import Engine, engine_kind, make_engine
from index.errors import IndexMissing, IndexUnreadable
from index.files import (
    MAGIC,
    alias_groups,
    check_manifest,
    is_large,
    manifest,
    write_atomically,
)
from index.library import BriefInfo, Library, Skipped, SourceStamp
from index.mapped_arrays import brief_arrays, passage_arrays
from index.mapped_briefs import BriefTable
from index.mapped_check import (
    FULL_CHECK_BYTES,
    FileGuard,
    array_crc,
    check_arrays,
    check_layout,
    damaged,
)
from index.mapped_contexts import ContextTable
from index.mapped_engine import GuardedEngine
from index.mapped_tables import PassageTable, TokenTable
from index.passages import Passage, indexed_text
from index.postings_build import Array
from index.settings import IndexSettings
from index.vectors import SentenceVectors

FORMAT = "briefbot-numpy-index"
# 3: checksums of the manifest, each array, passage and brief; 4: passages carry a PDF page;
# 5: text in zlib blocks, 16-bit quantised scores with counts, no forward index;
# 6: text blocks of 8 passages, not 16; a brief's record keeps its title and standfirst's
# index terms; 7: text blocks in zstandard, not zlib; 8: those terms as postings (ctx_*)
# beside the records, not in them, and text blocks of 2 passages with a dictionary;
# 9: each brief's citation fields in a row of their own (cite_*), read without its record;
# 10: text blocks of one passage, at zstandard's level 3
FORMAT_VERSION = 10
_ALIGN = 64
_HEAD = struct.Struct("<QI")  # after the magic: the manifest's length and CRC-32
_PASSAGE_ARRAYS = (
    "text_ptr",
    "text",
    "text_block",
    "text_dict",
    "p_brief",
    "p_paragraph",
    "p_part",
    "p_start",
    "p_end",
    "p_page",
    "p_crc",
)
_BRIEF_ARRAYS = (
    "brief_json",
    "brief_ptr",
    "brief_ids",
    "brief_sorted",
    "brief_pos",
    "brief_crc",
    "cite_rows",
    "cite_ptr",
    "cite_crc",
    "ctx_terms",
    "ctx_ptr",
    "ctx_brief",
)


class MappedBackend:
    """Builds, saves and loads libraries in the mapped format (the numpy engine's arrays)."""

    name = "mapped"

    def owns(self, path: Path) -> bool:
        """True when `path` starts like a mapped index file."""
        return is_large(path)

    def assemble(self, draft: Draft, previous: Library | None) -> Library:
        """The library of `draft`: texts straight to token ids in arrays (in worker
        processes when large); passages reused from `previous` keep their ids, so
        nothing unchanged is tokenised again."""
        old = previous.engine if previous else None
        # Another engine's library lends no token ids: then every passage is read afresh.
        fresh = draft.fresh() if isinstance(old, NumpyEngine) else range(len(draft.passages))
        new = encode_texts([indexed_text(draft.passages, i) for i in fresh], draft.alias_groups)
        # The text blocks are compressed while the postings are scored: zstandard and most of
        # numpy let go of the GIL, so the two share the cores the tokenising just used.
        with ThreadPoolExecutor(1) as pool:
            texts = pool.submit(_arrays_of, draft.passages, draft.briefs, draft.alias_groups)
            if isinstance(old, NumpyEngine):
                engine = NumpyEngine.refreshed(old, draft.origin, new, draft.settings)
            else:
                engine = NumpyEngine.from_forward(new, draft.settings)
            library = draft.library(TokenTable(draft.passages, draft.alias_groups), engine)
            _remember(library, texts.result())
        return library

    def save(self, library: Library, path: Path) -> None:
        """Write `library` with its numpy engine to `path` atomically."""
        engine = library.engine
        if not isinstance(engine, NumpyEngine):
            engine = NumpyEngine.from_tokens(library.tokens, library.settings)
        save_large(library, engine, path)

    def serving(self, library: Library, path: Path) -> Library:
        """The library to serve after saving: the mapped file (the build's lists can go)."""
        return self.load(path, library.settings)

    def load(self, path: Path, settings: IndexSettings) -> Library:
        """Map the index file at `path` (IndexMissing, IndexUnreadable)."""
        if not path.exists():
            raise IndexMissing(path)
        return load_large(path, settings)


# Passage and brief arrays made while assembling a library (by id, with a weak reference to
# it): saving it then does not compress its text again. Dropped with the library.
_made: dict[int, tuple[weakref.ref[Library], dict[str, Array]]] = {}


def _arrays_of(
    passages: Sequence[Passage], briefs: Mapping[str, BriefInfo], groups: list[list[str]]
) -> dict[str, Array]:
    """The passage and brief arrays: compressed text, each brief's record, and its title
    and standfirst's terms (with `groups`' alias terms, as the word ranker reads them)."""
    arrays = passage_arrays(passages, list(briefs))
    arrays.update(brief_arrays(briefs, Aliases(groups).index_terms))
    return arrays


def _remember(library: Library, arrays: dict[str, Array]) -> None:
    """Keep `library`'s passage and brief arrays for save_large while the library lives."""
    _made[id(library)] = (weakref.ref(library), arrays)
    weakref.finalize(library, _made.pop, id(library), None)


def save_large(index: Library, engine: NumpyEngine, path: Path) -> None:
    """Write `index` with its numpy engine to `path` atomically, with its checksums."""
    if isinstance(index.passages, PassageTable) and index.passages.briefs is index.briefs:
        # The file's own passages and briefs: written again as they are.
        names = (*_PASSAGE_ARRAYS, *_BRIEF_ARRAYS)
        arrays = {name: index.passages.arrays[name] for name in names}
    elif (made := _made.pop(id(index), None)) is not None and made[0]() is index:
        arrays = dict(made[1])
    else:
        arrays = _arrays_of(list(index.passages), index.briefs, index.alias_groups)
    arrays.update({name: engine.arrays[name] for name in ARRAY_NAMES})
    extra: dict[str, str] = {}
    if index.vectors is not None:
        arrays.update(sent_ptr=index.vectors.ptr, sent_vec=index.vectors.vectors)
        extra["vectors_model"] = index.vectors.model
    layout: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in arrays.items():
        layout[name] = {
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "offset": offset,
            "crc": array_crc(array),
        }
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps(
        {**manifest(index, FORMAT, FORMAT_VERSION), **extra, "arrays": layout},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    head = MAGIC + _HEAD.pack(len(header), zlib.crc32(header)) + header
    start = -(-len(head) // _ALIGN) * _ALIGN

    def write(out: BinaryIO) -> None:
        out.write(head.ljust(start, b"\0"))
        for array in arrays.values():
            out.write(np.ascontiguousarray(array).tobytes())
            out.write(b"\0" * (-array.nbytes % _ALIGN))

    write_atomically(path, write)


def _vectors(arrays: Mapping[str, Array], model: object) -> SentenceVectors | None:
    """The sentence vectors stored in the file (checked by check_arrays), or None."""
    if "sent_ptr" not in arrays:
        return None
    if not isinstance(model, str) or arrays["sent_vec"].ndim != 2:
        raise damaged("the sentence vectors have no model")
    return SentenceVectors(model, arrays["sent_ptr"], arrays["sent_vec"])


def _open(path: Path) -> tuple[bytes | mmap.mmap, FileGuard | None]:
    """The file's bytes: read whole when small (then nothing can change under us), else
    mapped, with a guard on the kept descriptor."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise IndexUnreadable(f"cannot read it ({exc.strerror})") from exc
    try:
        size = os.fstat(fd).st_size
        if size <= FULL_CHECK_BYTES:
            with os.fdopen(os.dup(fd), "rb") as f:
                return f.read(FULL_CHECK_BYTES + 1), None
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        guard = FileGuard(os.dup(fd))
    except (OSError, ValueError) as exc:
        raise IndexUnreadable(f"cannot read it ({exc})") from exc
    finally:
        os.close(fd)
    return mapped, guard


def _header(data: bytes | mmap.mmap) -> tuple[dict[str, Any], int]:
    """The manifest, checked against its checksum, and where the arrays start."""
    at = len(MAGIC) + _HEAD.size
    try:
        size, crc = _HEAD.unpack_from(data, len(MAGIC))
        if at + size > len(data):
            raise ValueError("the manifest runs past the end of the file")
        raw = bytes(data[at : at + size])
        if zlib.crc32(raw) != crc:
            raise ValueError("the manifest fails its checksum")
        manifest_ = json.loads(raw)
    except (struct.error, ValueError, RecursionError) as exc:
        raise IndexUnreadable(f"its header is damaged ({exc})") from exc
    return manifest_, -(-(at + size) // _ALIGN) * _ALIGN


def _arrays(
    data: bytes | mmap.mmap, layout: object, start: int, settings: IndexSettings
) -> dict[str, Array]:
    """Views of the arrays the manifest describes, checked for structure (and checksums
    when the file was read whole) under the `settings` it was built with."""
    arrays: dict[str, Array] = {}
    for name, (dtype, shape, offset) in check_layout(layout, len(data) - start).items():
        count = int(np.prod(shape, dtype=np.int64))
        array = np.frombuffer(data, dtype=dtype, count=count, offset=start + offset)
        arrays[name] = array.reshape(shape)
    if isinstance(data, bytes):
        assert isinstance(layout, dict)  # check_layout said so
        for name, array in arrays.items():
            if array_crc(array) != layout[name].get("crc"):
                raise damaged(f"array {name} fails its checksum")
    # UTF-8 takes at most 4 bytes a character, and no passage is longer than
    # max_passage_chars (index/splitting.py).
    check_arrays(arrays, longest_passage=4 * settings.max_passage_chars)
    return arrays


def load_large(path: Path, settings: IndexSettings) -> Library:
    """Map the index file at `path` into a library with lazy passages and tokens, every
    part of it checked first (index/mapped_check.py); IndexUnreadable when damaged."""
    data, guard = _open(path)
    manifest_, start = _header(data)
    manifest_ = check_manifest(manifest_, FORMAT, FORMAT_VERSION, settings)
    arrays = _arrays(data, manifest_.get("arrays"), start, settings)
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        # The checks read every array; the pages stay in the page cache, but a server
        # need not hold them: search maps back in only what it reads.
        data.madvise(mmap.MADV_DONTNEED)
    try:
        arrays_engine = GuardedEngine(arrays, settings, guard)
        briefs = BriefTable(arrays, guard)
        passages = PassageTable(arrays, briefs)
        tokens = TokenTable(passages, alias_groups(manifest_["aliases"]))
        # Settings that ask for rank-bm25 get it, built from the mapped tokens.
        numpy = engine_kind(settings, arrays_engine.size) == "numpy"
        engine: Engine = arrays_engine if numpy else make_engine(tokens, settings)
        return Library(
            settings=settings,
            briefs=briefs,
            passages=passages,
            tokens=tokens,
            engine=engine,
            sources={str(n): SourceStamp(**s) for n, s in manifest_["sources"].items()},
            built_at=str(manifest_["built_at"]),
            skipped=tuple(Skipped(**s) for s in manifest_["skipped"]),
            alias_groups=alias_groups(manifest_["aliases"]),
            vectors=_vectors(arrays, manifest_.get("vectors_model")),
            contexts=ContextTable(arrays, guard),
            guard=guard,
            cited=briefs.cited,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise damaged(f"{exc.__class__.__name__}: {exc}") from exc
