"""Automatic refresh: when the files of an open library change on disk, rebuild its index
after a quiet period, with /reindex's guarantees (its lock, incremental, the old index
answering until the swap, audited). Off unless `library.auto_refresh_seconds` is set.

Every period each open library's folder is listed (size and mtime, no reads). A change
is acted on once the listing has stayed the same for a whole period, so a file still
being copied is not indexed half-written.
"""

from __future__ import annotations

import asyncio
import logging

from bot import audit
from bot.libraries import Libraries, Slot
from bot.library_changes import refreshed
from index import stale_reason
from index.errors import BriefError
from index.seeds import seed_sources

log = logging.getLogger(__name__)

Listing = frozenset[tuple[str, int, int]]


def listing(slot: Slot) -> Listing:
    """Name, size and mtime of every file of the library (empty when the folder is gone)."""
    folder = slot.config.seeds_dir
    try:
        files = seed_sources(folder)
        return frozenset(
            (name, (s := p.stat()).st_size, s.st_mtime_ns) for name, p in files.items()
        )
    except (BriefError, OSError):
        return frozenset()


def _stale(slot: Slot) -> str | None:
    """Why the served index no longer matches the folder, or None."""
    if slot.holder is None:
        return None
    try:
        return stale_reason(slot.holder.library, slot.config.seeds_dir)
    except (BriefError, OSError):
        return None


async def refresh_if_quiet(slot: Slot, seen: dict[str, Listing]) -> bool:
    """Rebuild `slot` when its folder changed and has been quiet since the last look."""
    now = await asyncio.to_thread(listing, slot)
    before, seen[slot.name] = seen.get(slot.name), now
    if now != before or slot.lock.locked():
        return False  # still changing (or first look): wait one more period
    reason = await asyncio.to_thread(_stale, slot)
    if reason is None:
        return False
    async with slot.lock:
        try:
            new = await asyncio.to_thread(refreshed, slot.config, slot.holder)
        except (BriefError, OSError) as exc:
            log.warning("Automatic refresh of library %s failed: %s", slot.name, exc)
            result = f"failed: {exc}"
        else:
            slot.serve(new)
            log.info("Refreshed library %s automatically (%s)", slot.name, reason)
            result = f"ok: {reason}"
    item = audit.entry("reindex", "", result, moderator="automatic refresh")
    try:
        audit.append(slot.config.audit_path, item)
    except OSError:
        log.exception("Could not write the audit log %s", slot.config.audit_path)
    return True


async def watch(libraries: Libraries, period: float) -> None:
    """Look at every open library each `period` seconds, until cancelled."""
    seen: dict[str, Listing] = {}
    while True:
        await asyncio.sleep(period)
        for slot in libraries.open_slots():
            try:
                await refresh_if_quiet(slot, seen)
            except Exception:  # the watcher must outlive any one failure
                log.exception("Automatic refresh of library %s failed", slot.name)
