"""Change a library and refresh its index in one step (run in a thread): the front ends'
shared path for add, replace, remove and reindex. No discord here.

The served index is never touched: a new one is built incrementally from the old one
(index.refresh.rebuild with previous= and the same encoder) and returned for the caller
to swap in. A failed rebuild after an add takes the added files out again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Config, encoder_of
from bot.holder import IndexHolder
from bot.libraries import Slot
from bot.shelf import Candidate, ShelfError, brief_files, remove_brief, write_candidate
from index import Library, rebuild
from index.errors import BriefError, IndexUnreadable
from index.vectors import Progress

log = logging.getLogger(__name__)


class LastBrief(ShelfError):
    """Removing this brief would leave the library with none to answer from."""


@dataclass(frozen=True)
class Change:
    """What a change did: the brief's id and the library to serve from now on."""

    brief_id: str
    library: Library


def refreshed(
    config: Config,
    holder: IndexHolder | None,
    progress: Callable[[Progress], None] | None = None,
) -> Library:
    """The library's index rebuilt from its folder, reusing what did not change (all of it
    read afresh when the index in use turns out damaged where the rebuild reads it)."""
    previous = holder.library if holder else None
    encoder = holder.encoder if holder else encoder_of(config)
    folder, path, settings = config.seeds_dir, config.index_path, config.index
    try:
        return rebuild(folder, path, settings, previous, encoder, progress)
    except IndexUnreadable as exc:
        if previous is None:
            raise
        log.warning("The index in use could not be reused (%s); reading every brief again", exc)
        return rebuild(folder, path, settings, None, encoder, progress)


def add(
    config: Config, holder: IndexHolder | None, candidate: Candidate, replacing: str | None
) -> Change:
    """Write `candidate` into the library (over brief `replacing`, when given) and refresh."""
    config.seeds_dir.mkdir(parents=True, exist_ok=True)
    brief_id = write_candidate(config.seeds_dir, candidate, replacing)
    try:
        return Change(brief_id, refreshed(config, holder))
    except (BriefError, OSError):
        if replacing is None:  # a new brief: take it out again, the old index still serves
            for path in brief_files(config.seeds_dir, brief_id):
                path.unlink(missing_ok=True)
        raise


def remove(config: Config, holder: IndexHolder, brief_id: str) -> Change:
    """Delete brief `brief_id`'s files and refresh; LastBrief when it is the only one."""
    if set(holder.library.briefs) <= {brief_id}:
        raise LastBrief(brief_id)
    remove_brief(config.seeds_dir, brief_id)
    return Change(brief_id, refreshed(config, holder))


_healing: set[asyncio.Task[None]] = set()  # running heals, kept from the garbage collector


def start_heal(slot: Slot, damage: IndexUnreadable) -> None:
    """Start `heal` in the background (the caller answers the user meanwhile)."""
    task = asyncio.get_running_loop().create_task(heal(slot, damage))
    _healing.add(task)
    task.add_done_callback(_healing.discard)


async def heal(slot: Slot, damage: IndexUnreadable) -> None:
    """Rebuild a library whose index was found damaged while serving it (every brief read
    afresh); nothing when a rebuild is already running. The damaged index keeps its
    place until the new one is built; a failed rebuild is logged and changes nothing."""
    if slot.lock.locked():
        return
    async with slot.lock:
        log.warning("Library %r: the index is damaged (%s); rebuilding it", slot.name, damage)
        try:
            new = await asyncio.to_thread(refreshed, slot.config, None)
        except (BriefError, OSError) as exc:
            log.warning("Library %r: the rebuild failed: %s", slot.name, exc)
            return
        slot.serve(new)
        log.info("Library %r: rebuilt after damage, %d passages", slot.name, len(new.passages))
