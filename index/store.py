"""The index file: one JSON document (manifest + passages + tokens), written atomically.

JSON, not pickle: loading a file must never run code. One file, so that
`os.replace` swaps it in one step and a crash mid-write leaves the old one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from index.brief import BriefInfo
from index.engine_numpy import NumpyEngine
from index.errors import IndexMissing, IndexUnreadable
from index.large_store import is_large, load_large, save_large
from index.passages import Passage
from index.search import Index, Skipped, SourceStamp
from index.settings import IndexSettings

FORMAT = "briefbot-index"
FORMAT_VERSION = 1


def to_json(index: Index) -> dict[str, Any]:
    """The JSON document for `index`."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "settings": index.settings.ranking(),
        "built_at": index.built_at,
        "sources": {name: asdict(s) for name, s in index.sources.items()},
        "skipped": [asdict(s) for s in index.skipped],
        "briefs": [asdict(b) for b in index.briefs.values()],
        "passages": [
            {**asdict(p), "tokens": tokens}
            for p, tokens in zip(index.passages, index.tokens, strict=True)
        ],
    }


def save_index(index: Index, path: Path) -> None:
    """Write `index` to `path` atomically: a temporary file beside it, then os.replace."""
    if isinstance(index.engine, NumpyEngine):
        # The numpy engine's file: raw arrays, memory-mapped on load (large_store.py).
        save_large(index, index.engine, path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(to_json(index), out, ensure_ascii=False, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def from_json(data: object, settings: IndexSettings) -> Index:
    """Rebuild an Index from its JSON document; raise IndexUnreadable when it does not fit."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexUnreadable("it is not a briefbot index file")
    if data.get("version") != FORMAT_VERSION:
        raise IndexUnreadable(
            f"it has format version {data.get('version')!r}; "
            f"this briefbot reads version {FORMAT_VERSION}"
        )
    if data.get("settings") != settings.ranking():
        raise IndexUnreadable("it was built with other settings")
    try:
        return Index(
            settings=settings,
            briefs={b["id"]: BriefInfo(**b) for b in data["briefs"]},
            passages=[
                Passage(**{k: v for k, v in p.items() if k != "tokens"}) for p in data["passages"]
            ],
            tokens=[p["tokens"] for p in data["passages"]],
            sources={name: SourceStamp(**s) for name, s in data["sources"].items()},
            built_at=data["built_at"],
            skipped=tuple(Skipped(**s) for s in data["skipped"]),
        )
    except (KeyError, TypeError, AttributeError) as exc:
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
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexUnreadable("it is not valid JSON (truncated or damaged)") from exc
    return from_json(data, settings)
