"""The index file: one JSON document (manifest + passages + tokens), written atomically.

JSON, not pickle: loading a file must never run code. One file, so that
`os.replace` swaps it in one step and a crash mid-write leaves the old one.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast, get_type_hints

from index.brief import BriefInfo
from index.engine_numpy import NumpyEngine
from index.errors import EmptyCorpus, IndexMissing, IndexUnreadable
from index.files import check_manifest, manifest, write_atomically
from index.large_store import alias_groups, is_large, load_large, save_large
from index.passages import Passage
from index.search import Index, Skipped, SourceStamp
from index.settings import IndexSettings

FORMAT = "briefbot-index"
FORMAT_VERSION = 2

_Record = TypeVar("_Record")


def to_json(index: Index) -> dict[str, Any]:
    """The JSON document for `index`."""
    return {
        **manifest(index, FORMAT, FORMAT_VERSION),
        "briefs": [asdict(b) for b in index.briefs.values()],
        "passages": [
            {**asdict(p), "tokens": tokens}
            for p, tokens in zip(index.passages, index.tokens, strict=True)
        ],
    }


def save_index(index: Index, path: Path) -> None:
    """Write `index` to `path` atomically: a temporary file beside it, then os.replace.

    On any failure the file at `path` is left as it was and the temporary file is
    removed; an OSError (disk full, no permission, a folder in the way) becomes
    IndexUnwritable. A numpy-engine index is written as raw arrays, memory-mapped
    on load (large_store.py), with the same guarantees.
    """
    if isinstance(index.engine, NumpyEngine):
        save_large(index, index.engine, path)
        return

    def write(out: BinaryIO) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8")
        json.dump(to_json(index), text, ensure_ascii=False, separators=(",", ":"))
        text.flush()
        text.detach()  # the binary file stays open for write_atomically to fsync

    write_atomically(path, write)


@cache
def _field_types(cls: type) -> dict[str, Any]:
    # Cached: get_type_hints evaluates the annotations, far slower than the check itself.
    return get_type_hints(cls)


def _record(cls: type[_Record], data: object) -> _Record:
    """`cls(**data)` when `data` has exactly the fields of dataclass `cls`, each of its type."""
    hints = _field_types(cast(type, cls))
    if not isinstance(data, dict) or set(data) != set(hints):
        raise IndexUnreadable(f"it is damaged (a {cls.__name__} record has the wrong keys)")
    for name, value in data.items():
        if not isinstance(value, hints[name]):
            raise IndexUnreadable(f"it is damaged ({cls.__name__}.{name} has the wrong type)")
    return cls(**data)


def _tokens(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise IndexUnreadable("it is damaged (a passage's tokens are not a list of text)")
    return value


def from_json(data: object, settings: IndexSettings) -> Index:
    """Rebuild an Index from its JSON document; raise IndexUnreadable when it does not fit."""
    data = check_manifest(data, FORMAT, FORMAT_VERSION, settings)
    try:
        briefs = {b.id: b for b in (_record(BriefInfo, b) for b in data["briefs"])}
        passages = [
            _record(Passage, {k: v for k, v in p.items() if k != "tokens"})
            for p in data["passages"]
        ]
        if any(p.brief not in briefs for p in passages):
            raise IndexUnreadable("it is damaged (a passage belongs to no brief)")
        if not isinstance(data["built_at"], str):
            raise IndexUnreadable("it is damaged (built_at is not text)")
        return Index(
            settings=settings,
            briefs=briefs,
            passages=passages,
            tokens=[_tokens(p["tokens"]) for p in data["passages"]],
            sources={str(name): _record(SourceStamp, s) for name, s in data["sources"].items()},
            built_at=data["built_at"],
            skipped=tuple(_record(Skipped, s) for s in data["skipped"]),
            alias_groups=alias_groups(data["aliases"]),
        )
    except (KeyError, TypeError, AttributeError, ValueError, EmptyCorpus) as exc:
        raise IndexUnreadable(f"it is damaged ({exc.__class__.__name__}: {exc})") from exc


def load_index(path: Path, settings: IndexSettings) -> Index:
    """Load the index at `path` without reading the sources (IndexMissing, IndexUnreadable)."""
    if is_large(path):
        return load_large(path, settings)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise IndexMissing(f"No index at {path}. Build it with: briefbot index") from exc
    except OSError as exc:
        raise IndexUnreadable(f"cannot read it ({exc.strerror})") from exc
    # ValueError covers bad JSON, bad UTF-8 and over-long numbers; deep nesting recurses.
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise IndexUnreadable("it is not valid JSON (truncated or damaged)") from exc
    return from_json(data, settings)
