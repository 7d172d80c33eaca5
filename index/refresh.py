"""Keep the saved index in step with `seeds/`: load it when fresh, rebuild it when not."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from index.backends import backend_for, load_index
from index.build import build_index, restamp, seed_files
from index.errors import BriefError, IndexMissing, IndexUnreadable, IndexUnwritable
from index.library import Library
from index.settings import IndexSettings

log = logging.getLogger(__name__)


def stale_reason(index: Library, seeds_dir: Path) -> str | None:
    """Why `index` no longer matches `seeds_dir` (a file added, removed or changed), or None.

    Files whose size and mtime are unchanged are not read; others are hashed,
    so touching a file without changing it does not force a rebuild.
    """
    current = {p.name: p for p in seed_files(seeds_dir)}
    added = sorted(current.keys() - index.sources.keys())
    removed = sorted(index.sources.keys() - current.keys())
    changed = [
        name
        for name in sorted(current.keys() & index.sources.keys())
        if restamp(current[name], index.sources[name]).sha256 != index.sources[name].sha256
    ]
    parts = [
        f"{label}: {', '.join(names)}"
        for label, names in (("added", added), ("removed", removed), ("changed", changed))
        if names
    ]
    return "; ".join(parts) or None


@dataclass(frozen=True)
class Opened:
    """An index ready to search, and why it was rebuilt (None when loaded as saved)."""

    index: Library
    rebuilt_because: str | None


def rebuild(
    seeds_dir: Path, path: Path, settings: IndexSettings, previous: Library | None = None
) -> Library:
    """Build from `seeds_dir` and save to `path`; on any failure the old file is untouched.

    With `previous` (the index in use), only briefs that changed are read again.
    """
    index = build_index(seeds_dir, settings, previous)
    backend = backend_for(settings, len(index.passages))
    backend.save(index, path)
    return backend.serving(index, path)


def _build_and_try_save(seeds_dir: Path, path: Path, settings: IndexSettings) -> Library:
    """Build from `seeds_dir` and save to `path`; a failed save still returns the index."""
    index = build_index(seeds_dir, settings)
    try:
        backend_for(settings, len(index.passages)).save(index, path)
    except IndexUnwritable as exc:
        log.warning("%s Answering from the index built in memory.", exc)
    return index


def open_index(seeds_dir: Path, path: Path, settings: IndexSettings) -> Opened:
    """Load the index at `path`, rebuilding it first when it is missing, damaged or stale.

    A saved index is never given up for a failed rebuild: when the briefs changed but
    cannot be indexed (none usable, disk full), the saved index is used with a warning.
    """
    try:
        index = load_index(path, settings)
    except IndexMissing:
        return Opened(_build_and_try_save(seeds_dir, path, settings), "no index had been built yet")
    except IndexUnreadable as exc:
        # Debug only: the reason goes back in Opened, and the CLI and the bot report it.
        log.debug("Index %s cannot be used (%s); rebuilding from %s", path, exc, seeds_dir)
        return Opened(
            _build_and_try_save(seeds_dir, path, settings),
            f"the saved index could not be used: {exc}",
        )
    reason = stale_reason(index, seeds_dir) if seeds_dir.is_dir() else None
    if reason:
        try:
            index = rebuild(seeds_dir, path, settings, previous=index)
            return Opened(index, f"the briefs changed ({reason})")
        except (BriefError, OSError) as exc:  # e.g. a brief deleted while it was read
            log.warning(
                "The briefs changed (%s) but could not be indexed: %s Using the saved index %s.",
                reason,
                exc,
                path,
            )
    return Opened(index, None)
