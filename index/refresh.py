"""Keep the saved index in step with `seeds/`: load it when fresh, rebuild it when not."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.backends import backend_for, load_index
from index.errors import BriefError, IndexMissing, IndexUnreadable, IndexUnwritable, SeedsMissing
from index.library import Library
from index.seeds import restamp, seed_sources
from index.settings import IndexSettings

if TYPE_CHECKING:
    from index.vectors import Embedder, Progress

log = logging.getLogger(__name__)


def stale_reason(index: Library, seeds_dir: Path) -> str | None:
    """Why `index` no longer matches `seeds_dir` (a file added, removed or changed), or None.

    Files whose size and mtime are unchanged are not read; others are hashed,
    so touching a file without changing it does not force a rebuild.
    """
    current = seed_sources(seeds_dir)
    added = sorted(current.keys() - index.sources.keys())
    removed = sorted(index.sources.keys() - current.keys())
    changed = [
        name
        for name in sorted(current.keys() & index.sources.keys())
        if restamp(current[name], index.sources[name]).sha256 != index.sources[name].sha256
    ]
    parts = [
        f"{label}: {_some(names)}"
        for label, names in (("added", added), ("removed", removed), ("changed", changed))
        if names
    ]
    return f"the briefs changed ({'; '.join(parts)})" if parts else None


def _some(names: list[str], shown: int = 5) -> str:
    """`names` joined, the first few only when there are many (a warning stays one line)."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def _vectors_stale(index: Library, encoder: Embedder | None) -> str | None:
    """Why the sentence vectors of `index` must be made again, or None."""
    if encoder is None or len(index.passages) > index.settings.vectors_up_to:
        return None
    if not encoder.usable():
        return None  # refused model files: words alone, not a rebuild at every start
    if index.vectors is None:
        return "the sentence vectors had not been made"
    if index.vectors.model != encoder.model_sha256:
        return "the sentence vectors were made by another model"
    return None


@dataclass(frozen=True)
class Opened:
    """An index ready to search, and why it was rebuilt (None when loaded as saved)."""

    index: Library
    rebuilt_because: str | None
    # Something the user should know although the index serves, e.g. a missing seeds folder.
    warning: SeedsMissing | None = None


def rebuild(
    seeds_dir: Path,
    path: Path,
    settings: IndexSettings,
    previous: Library | None = None,
    encoder: Embedder | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Library:
    """Build from `seeds_dir` and save to `path`; on any failure the old file is untouched.

    With `previous` (the index in use), only briefs that changed are read again (and
    only their sentence vectors made, with `encoder`, reporting `progress`).
    """
    from index.build import build_index  # here: a fresh index is served without reading briefs

    index = build_index(seeds_dir, settings, previous, encoder, progress)
    backend = backend_for(settings, len(index.passages))
    backend.save(index, path)
    return backend.serving(index, path)


def _build_and_try_save(
    seeds_dir: Path,
    path: Path,
    settings: IndexSettings,
    encoder: Embedder | None,
    progress: Callable[[Progress], None] | None,
) -> Library:
    """Build from `seeds_dir` and save to `path`; a failed save still returns the index."""
    from index.build import build_index  # here: a fresh index is served without reading briefs

    index = build_index(seeds_dir, settings, encoder=encoder, progress=progress)
    try:
        backend_for(settings, len(index.passages)).save(index, path)
    except IndexUnwritable as exc:
        log.warning("%s Answering from the index built in memory.", exc)
    return index


def open_index(
    seeds_dir: Path,
    path: Path,
    settings: IndexSettings,
    encoder: Embedder | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Opened:
    """Load the index at `path`, rebuilding it first when it is missing, damaged or stale
    (briefs changed, or sentence vectors missing or from another model).

    A saved index is never given up for a failed rebuild: when the briefs changed but
    cannot be indexed (none usable, disk full), the saved index is used with a warning.
    """
    try:
        index = load_index(path, settings)
    except IndexMissing:
        built = _build_and_try_save(seeds_dir, path, settings, encoder, progress)
        return Opened(built, "no index had been built yet")
    except IndexUnreadable as exc:
        # Debug only: the reason goes back in Opened, and the CLI and the bot report it.
        log.debug("Index %s cannot be used (%s); rebuilding from %s", path, exc, seeds_dir)
        return Opened(
            _build_and_try_save(seeds_dir, path, settings, encoder, progress),
            f"the saved index could not be used: {exc}",
        )
    if not seeds_dir.is_dir():
        return Opened(index, None, SeedsMissing(seeds_dir))
    reason = stale_reason(index, seeds_dir) or _vectors_stale(index, encoder)
    if reason:
        try:
            index = rebuild(seeds_dir, path, settings, index, encoder, progress)
            return Opened(index, reason)
        except (BriefError, OSError) as exc:  # e.g. a brief deleted while it was read
            log.warning(
                "%s but could not be indexed: %s Using the saved index %s.",
                reason[:1].upper() + reason[1:],
                exc,
                path,
            )
    return Opened(index, None)
