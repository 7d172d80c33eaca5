"""The JSON index format: one document (manifest + briefs + passages with their terms).

JSON, not pickle: loading a file must never run code. Each brief and passage carries a
CRC-32 of its record and the rest of the document one of its own, all checked at load:
a damaged passage is refused, never quoted (docs/reliability.md, "Index integrity").
One file, so that `os.replace` swaps it in one step and a crash mid-write leaves the old one.
Small libraries use it; the engine is rebuilt from the stored terms on load.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast, get_type_hints

from index.aliases import Aliases
from index.engines import make_engine
from index.errors import EmptyCorpus, IndexMissing, IndexUnreadable
from index.files import alias_groups, check_manifest, manifest, write_atomically
from index.library import BriefInfo, Library, PassageList, Skipped, SourceStamp
from index.passages import Passage, indexed_text
from index.settings import IndexSettings

if TYPE_CHECKING:
    from index.draft import Draft  # built by index/build.py; a load needs none
    from index.vectors import SentenceVectors

FORMAT = "briefbot-index"
# 3: a checksum per brief, per passage and of the rest; 4: passages carry their PDF page
FORMAT_VERSION = 4
# Every top-level key a document may have; anything else is refused before it is read further.
_KEYS = frozenset(
    {"format", "version", "settings", "built_at", "sources", "skipped", "aliases"}
    | {"briefs", "passages", "vectors", "checksum"}
)

_Record = TypeVar("_Record")


class JsonBackend:
    """Builds, saves and loads libraries in the JSON format."""

    name = "json"

    def owns(self, path: Path) -> bool:
        """True for any file the other formats do not claim (checked when loaded)."""
        return True

    def assemble(self, draft: Draft, previous: Library | None) -> Library:
        """The library of `draft`: terms made for fresh passages, reused for the others."""
        index_terms = Aliases(draft.alias_groups).index_terms
        kept: Sequence[Sequence[str]] = previous.tokens if previous else []
        tokens = [
            kept[o] if o >= 0 else index_terms(indexed_text(draft.passages, i))
            for i, o in enumerate(draft.origin)
        ]
        return draft.library(tokens, make_engine(tokens, draft.settings))

    def save(self, library: Library, path: Path) -> None:
        """Write `library` to `path` atomically (index/files.py)."""

        def write(out: BinaryIO) -> None:
            text = io.TextIOWrapper(out, encoding="utf-8")
            json.dump(to_json(library), text, ensure_ascii=False, separators=(",", ":"))
            text.flush()
            text.detach()  # the binary file stays open for write_atomically to fsync

        write_atomically(path, write)

    def serving(self, library: Library, path: Path) -> Library:
        """The library to serve after saving it: the one in memory."""
        return library

    def load(self, path: Path, settings: IndexSettings) -> Library:
        """Load the JSON index at `path` (IndexMissing, IndexUnreadable)."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise IndexMissing(path) from exc
        except OSError as exc:
            raise IndexUnreadable(f"cannot read it ({exc.strerror})") from exc
        # ValueError covers bad JSON, bad UTF-8 and over-long numbers; deep nesting recurses.
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise IndexUnreadable("it is not valid JSON (truncated or damaged)") from exc
        return from_json(data, settings)


def crc(record: object) -> int:
    """The checksum of a JSON value (its compact, key-sorted text): what a record's "crc"
    field and the document's "checksum" hold, so damage is found before anything is quoted."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _signed(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "crc": crc(record)}


def _rest(document: dict[str, Any]) -> dict[str, Any]:
    """What the document-wide checksum covers: all but the briefs and passages (each of
    which carries its own)."""
    return {k: v for k, v in document.items() if k not in ("briefs", "passages", "checksum")}


def to_json(library: Library) -> dict[str, Any]:
    """The JSON document for `library`, each record with its checksum."""
    document = {
        **manifest(library, FORMAT, FORMAT_VERSION),
        "briefs": [_signed(asdict(b)) for b in library.briefs.values()],
        "passages": [
            _signed({**asdict(p), "tokens": list(tokens)})
            for p, tokens in zip(library.passages, library.tokens, strict=True)
        ],
    }
    if library.vectors is not None:
        from index.vectors import vectors_to_json

        document["vectors"] = vectors_to_json(library.vectors)
    document["checksum"] = crc(_rest(document))
    return document


def _stored_vectors(data: dict[str, Any], passages: int) -> SentenceVectors | None:
    """The sentence vectors saved with the library, or None (index/vectors.py, and numpy
    behind it, load only for an index that has them)."""
    if "vectors" not in data:
        return None
    from index.vectors import vectors_from_json

    return vectors_from_json(data["vectors"], passages)


def _verified(record: object, what: str) -> dict[str, Any]:
    """`record` without its "crc" field, when that matches; else IndexUnreadable."""
    if not isinstance(record, dict) or "crc" not in record:
        raise IndexUnreadable(f"it is damaged (a {what} has no checksum)")
    body = {k: v for k, v in record.items() if k != "crc"}
    if crc(body) != record["crc"]:
        raise IndexUnreadable(f"it is damaged (a {what} fails its checksum)")
    return body


def _check_document(data: dict[str, Any]) -> None:
    """Refuse unknown structure and a damaged manifest before any record is read."""
    unknown = set(data) - _KEYS
    if unknown:
        raise IndexUnreadable(f"it is damaged (unknown key {sorted(unknown)[0][:40]!r})")
    if crc(_rest(data)) != data.get("checksum"):
        raise IndexUnreadable("it is damaged (its manifest fails its checksum)")


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


def from_json(data: object, settings: IndexSettings) -> Library:
    """Rebuild a library from its JSON document; raise IndexUnreadable when it does not fit."""
    data = check_manifest(data, FORMAT, FORMAT_VERSION, settings)
    _check_document(data)
    try:
        briefs = {
            b.id: b for b in (_record(BriefInfo, _verified(b, "brief")) for b in data["briefs"])
        }
        records = [_verified(p, "passage") for p in data["passages"]]
        passages = [
            _record(Passage, {k: v for k, v in p.items() if k != "tokens"}) for p in records
        ]
        if any(p.brief not in briefs for p in passages):
            raise IndexUnreadable("it is damaged (a passage belongs to no brief)")
        if not isinstance(data["built_at"], str):
            raise IndexUnreadable("it is damaged (built_at is not text)")
        tokens = [_tokens(p["tokens"]) for p in records]
        return Library(
            settings=settings,
            briefs=briefs,
            passages=PassageList(passages),
            tokens=tokens,
            engine=make_engine(tokens, settings),
            sources={str(name): _record(SourceStamp, s) for name, s in data["sources"].items()},
            built_at=data["built_at"],
            skipped=tuple(_record(Skipped, s) for s in data["skipped"]),
            alias_groups=alias_groups(data["aliases"]),
            vectors=_stored_vectors(data, len(passages)),
        )
    except (KeyError, TypeError, AttributeError, ValueError, EmptyCorpus) as exc:
        raise IndexUnreadable(f"it is damaged ({exc.__class__.__name__}: {exc})") from exc
