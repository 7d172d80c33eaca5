"""The mapped index format, for large libraries: a JSON manifest and raw arrays, memory-mapped.

Layout: 16-byte magic, the manifest's length (8 bytes, little-endian), the
manifest (UTF-8 JSON: settings, sources, and each array's dtype, shape and
offset), then each array's bytes at a 64-byte aligned offset. Loading maps the
file and makes numpy views over it: nothing is parsed, tokenised or copied (a
brief's metadata is one JSON record, read when a citation needs it), and the OS
pages in only what queries touch. No pickle: arrays are plain bytes
of fixed dtypes. Written like store.py: a temporary file beside it, then os.replace.
"""

from __future__ import annotations

import json
import mmap
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO, overload

import numpy as np

from index.brief import BriefInfo
from index.draft import Draft
from index.encode import encode_texts
from index.engine_numpy import ARRAY_NAMES, Array, NumpyEngine
from index.engines import Engine, engine_kind, make_engine
from index.errors import IndexMissing, IndexUnreadable
from index.files import alias_groups, check_manifest, manifest, write_atomically
from index.library import Library, PassageList, Skipped, SourceStamp
from index.passages import Passage, indexed_text
from index.settings import IndexSettings
from index.vectors import SentenceVectors

MAGIC = b"BRIEFBOT-NPIDX\x00\x01"
FORMAT = "briefbot-numpy-index"
FORMAT_VERSION = 3  # 3: passages carry their PDF page (p_page)
_ALIGN = 64
_PASSAGE_ARRAYS = (
    "text_ptr",
    "text",
    "p_brief",
    "p_paragraph",
    "p_part",
    "p_start",
    "p_end",
    "p_page",
)


class BriefTable(Mapping[str, BriefInfo]):
    """Briefs by id, each a JSON record in the file, parsed when asked for."""

    def __init__(self, arrays: Mapping[str, Array]) -> None:
        self._json, self._ptr = arrays["brief_json"], arrays["brief_ptr"]
        self._ids = arrays["brief_ids"]  # in file order: passages refer to briefs by number
        self._sorted, self._pos = arrays["brief_sorted"], arrays["brief_pos"]

    def __len__(self) -> int:
        return len(self._ptr) - 1

    def __iter__(self) -> Iterator[str]:
        return (b.decode("utf-8") for b in self._ids.tolist())

    def __getitem__(self, brief_id: str) -> BriefInfo:
        number = self.number(brief_id)
        if number is None:
            raise KeyError(brief_id)
        record = bytes(self._json[int(self._ptr[number]) : int(self._ptr[number + 1])])
        return BriefInfo(**json.loads(record))

    def number(self, brief_id: str) -> int | None:
        """The position of `brief_id` in the file, or None."""
        key = brief_id.encode("utf-8")
        if not key or not self._sorted.size or len(key) > self._sorted.dtype.itemsize:
            return None
        i = int(np.searchsorted(self._sorted, key))
        found = i < self._sorted.size and self._sorted[i] == key
        return int(self._pos[i]) if found else None

    def id_at(self, number: int) -> str:
        """The id of the brief at position `number`."""
        return bytes(self._ids[number]).decode("utf-8")


def brief_arrays(briefs: Mapping[str, BriefInfo]) -> dict[str, Array]:
    """The arrays of BriefTable for a mapping of briefs (kept in its order)."""
    records = [json.dumps(asdict(b), ensure_ascii=False).encode("utf-8") for b in briefs.values()]
    ids = [b.encode("utf-8") for b in briefs]
    width = f"S{max(map(len, ids), default=1)}"
    order = sorted(range(len(ids)), key=ids.__getitem__)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    return {
        "brief_json": np.frombuffer(b"".join(records), dtype=np.uint8),
        "brief_ptr": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        "brief_ids": np.array(ids, dtype=width),
        "brief_sorted": np.array([ids[i] for i in order], dtype=width),
        "brief_pos": np.array(order, dtype=np.int64),
    }


class PassageTable(Sequence[Passage]):
    """Passages held as arrays (text as one UTF-8 blob); a Passage is made when asked for."""

    def __init__(self, arrays: Mapping[str, Array], briefs: BriefTable) -> None:
        self.arrays = arrays
        self.briefs = briefs
        self._ptr = arrays["text_ptr"]
        self._text = arrays["text"]
        # Passages of a brief are contiguous: brief b's are [_first[b], _first[b + 1]).
        self._first = np.searchsorted(arrays["p_brief"], np.arange(len(briefs) + 1))

    def __len__(self) -> int:
        return len(self._ptr) - 1

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        a = self.arrays
        brief = self.briefs.id_at(int(a["p_brief"][i]))
        paragraph, part = int(a["p_paragraph"][i]), int(a["p_part"][i])
        text = bytes(self._text[int(self._ptr[i]) : int(self._ptr[i + 1])]).decode("utf-8")
        return Passage(
            id=f"{brief}:{paragraph}" + (f".{part}" if part else ""),
            brief=brief,
            paragraph=paragraph,
            part=part,
            start=int(a["p_start"][i]),
            end=int(a["p_end"][i]),
            text=text,
            page=int(a["p_page"][i]),
        )

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def of_brief(self, brief_id: str) -> range:
        """The positions of the passages of `brief_id` (empty when unknown)."""
        b = self.briefs.number(brief_id)
        return range(0) if b is None else range(int(self._first[b]), int(self._first[b + 1]))

    def find(self, passage_id: str) -> int | None:
        """The position of the passage with this id, or None."""
        brief, _, where = passage_id.rpartition(":")
        paragraph, _, part = where.partition(".")
        if not paragraph.isdigit() or not (part.isdigit() or not part):
            return None
        span = self.of_brief(brief)
        paragraphs = self.arrays["p_paragraph"][span.start : span.stop]
        parts = self.arrays["p_part"][span.start : span.stop]
        hits = np.flatnonzero((paragraphs == int(paragraph)) & (parts == int(part or 0)))
        return span.start + int(hits[0]) if hits.size else None


class TokenTable(Sequence[list[str]]):
    """Each passage's tokens, read from the engine's forward index when asked for."""

    def __init__(self, engine: NumpyEngine) -> None:
        self.engine = engine

    def __len__(self) -> int:
        return self.engine.size

    @overload
    def __getitem__(self, i: int) -> list[str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...
    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return [self.engine.tokens(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.engine.tokens(i)


def passage_arrays(passages: Sequence[Passage], brief_ids: Sequence[str]) -> dict[str, Array]:
    """The arrays of PassageTable for a list of passages."""
    numbers = {b: i for i, b in enumerate(brief_ids)}
    blobs = [p.text.encode("utf-8") for p in passages]
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    return {
        "text_ptr": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        "text": np.frombuffer(b"".join(blobs), dtype=np.uint8),
        "p_brief": np.fromiter((numbers[p.brief] for p in passages), np.int32, len(passages)),
        "p_paragraph": np.fromiter((p.paragraph for p in passages), np.int32, len(passages)),
        "p_part": np.fromiter((p.part for p in passages), np.int32, len(passages)),
        "p_start": np.fromiter((p.start for p in passages), np.int64, len(passages)),
        "p_end": np.fromiter((p.end for p in passages), np.int64, len(passages)),
        "p_page": np.fromiter((p.page for p in passages), np.int32, len(passages)),
    }


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
        if isinstance(old, NumpyEngine):
            engine = NumpyEngine.refreshed(old, draft.origin, new, draft.settings)
        else:
            engine = NumpyEngine.from_forward(new, draft.settings)
        return Library(
            settings=draft.settings,
            briefs=draft.briefs,
            passages=PassageList(draft.passages),
            tokens=TokenTable(engine),
            engine=engine,
            sources=draft.sources,
            built_at=draft.built_at,
            skipped=draft.skipped,
            alias_groups=draft.alias_groups,
            vectors=draft.vectors,
        )

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


def save_large(index: Library, engine: NumpyEngine, path: Path) -> None:
    """Write `index` with its numpy engine to `path` atomically."""
    if isinstance(index.passages, PassageTable) and index.passages.briefs is index.briefs:
        arrays = {name: index.passages.arrays[name] for name in _PASSAGE_ARRAYS}
    else:
        arrays = passage_arrays(list(index.passages), list(index.briefs))
    arrays.update(brief_arrays(index.briefs))
    arrays.update({name: engine.arrays[name] for name in ARRAY_NAMES})
    extra: dict[str, str] = {}
    if index.vectors is not None:
        arrays.update(sent_ptr=index.vectors.ptr, sent_vec=index.vectors.vectors)
        extra["vectors_model"] = index.vectors.model
    layout: dict[str, dict[str, Any]] = {}
    offset = 0
    for name, array in arrays.items():
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    header = json.dumps(
        {**manifest(index, FORMAT, FORMAT_VERSION), **extra, "arrays": layout},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    head = MAGIC + struct.pack("<Q", len(header)) + header
    start = -(-len(head) // _ALIGN) * _ALIGN

    def write(out: BinaryIO) -> None:
        out.write(head.ljust(start, b"\0"))
        for array in arrays.values():
            out.write(np.ascontiguousarray(array).tobytes())
            out.write(b"\0" * (-array.nbytes % _ALIGN))

    write_atomically(path, write)


def is_large(path: Path) -> bool:
    """True when `path` starts like a numpy-engine index file."""
    try:
        with path.open("rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _vectors(arrays: Mapping[str, Array], model: object, passages: int) -> SentenceVectors | None:
    """The sentence vectors stored in the file, checked against the passages, or None."""
    if "sent_ptr" not in arrays:
        return None
    ptr, vectors = arrays["sent_ptr"], arrays["sent_vec"]
    if not isinstance(model, str) or ptr.shape != (passages + 1,) or vectors.ndim != 2:
        raise ValueError("sentence vectors do not match the passages")
    if ptr[0] != 0 or ptr[-1] != len(vectors) or (np.diff(ptr) < 0).any():
        raise ValueError("sentence vector offsets are out of range")
    return SentenceVectors(model, ptr, vectors)


def load_large(path: Path, settings: IndexSettings) -> Library:
    """Map the index file at `path` into a library with lazy passages and tokens."""
    try:
        with path.open("rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise IndexUnreadable(f"cannot read it ({exc})") from exc
    try:
        (size,) = struct.unpack_from("<Q", mapped, len(MAGIC))
        at = len(MAGIC) + 8
        data = json.loads(bytes(mapped[at : at + size]))
        start = -(-(at + size) // _ALIGN) * _ALIGN
    except (struct.error, ValueError) as exc:
        raise IndexUnreadable("its header is damaged") from exc
    data = check_manifest(data, FORMAT, FORMAT_VERSION, settings)
    try:
        arrays: dict[str, Array] = {}
        for name, spec in data["arrays"].items():
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            offset = start + int(spec["offset"])
            if offset + count * dtype.itemsize > len(mapped):
                raise ValueError(f"array {name} runs past the end of the file")
            array = np.frombuffer(mapped, dtype=dtype, count=count, offset=offset)
            arrays[name] = array.reshape(spec["shape"]) if len(spec["shape"]) > 1 else array
        arrays_engine = NumpyEngine(arrays, settings)
        briefs = BriefTable(arrays)
        tokens = TokenTable(arrays_engine)
        # Settings that ask for rank-bm25 get it, built from the mapped tokens.
        numpy = engine_kind(settings, arrays_engine.size) == "numpy"
        engine: Engine = arrays_engine if numpy else make_engine(tokens, settings)
        index = Library(
            settings=settings,
            briefs=briefs,
            passages=PassageTable(arrays, briefs),
            tokens=tokens,
            engine=engine,
            sources={name: SourceStamp(**s) for name, s in data["sources"].items()},
            built_at=data["built_at"],
            skipped=tuple(Skipped(**s) for s in data["skipped"]),
            alias_groups=alias_groups(data["aliases"]),
            vectors=_vectors(arrays, data.get("vectors_model"), arrays_engine.size),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IndexUnreadable(f"it is damaged ({exc.__class__.__name__}: {exc})") from exc
    if len(index.passages) != arrays_engine.size:
        raise IndexUnreadable("it is damaged (passages and postings disagree)")
    return index
