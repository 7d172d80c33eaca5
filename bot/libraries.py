"""One library per server: a guild id picks its own seeds folder, data folder and index.

A server named under `libraries:` in the config gets that library; any other server
the default one (seeds_dir, data_dir). Each library has its own IndexHolder (and so its
own rebuild lock), opened the first time the server asks. No discord here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.config import Config, encoder_of
from bot.config_sections import Shelf
from bot.holder import IndexHolder
from index import Library, Searcher, open_index
from index.errors import EmptyCorpus, SeedsMissing

log = logging.getLogger(__name__)

DEFAULT_NAME = "default"


@dataclass
class Slot:
    """One library as the bot serves it: its name, its config (folders, mod log) and its
    holder (None while it has no brief: the first /brief add builds it)."""

    name: str
    config: Config
    holder: IndexHolder | None
    lock: asyncio.Lock

    def serve(self, library: Library) -> Library | None:
        """Serve `library` from now on; return the one it replaces (None: the first build
        of an empty library, which gets its holder now)."""
        if self.holder is not None:
            return self.holder.swap(library)
        config = self.config
        self.holder = IndexHolder(Searcher(library, config.search, encoder_of(config)))
        return None


def config_for(config: Config, name: str) -> Config:
    """The config working on the library called `name` ("default": the config itself);
    KeyError when no library has that name."""
    if name == DEFAULT_NAME:
        return config
    shelf = config.shelf(name)
    if shelf is None:
        raise KeyError(name)
    return config.for_library(shelf)


def open_holder_of(config: Config) -> IndexHolder | None:
    """The holder of the library `config` points at; None when it has no brief yet."""
    encoder = encoder_of(config)
    try:
        opened = open_index(config.seeds_dir, config.index_path, config.index, encoder)
    except (EmptyCorpus, SeedsMissing) as exc:
        log.info("Library %s has no brief yet (%s)", config.seeds_dir, exc)
        return None
    return IndexHolder(Searcher(opened.index, config.search, encoder))


class Libraries:
    """The libraries of every server the bot serves, opened on first use."""

    def __init__(self, config: Config, default: IndexHolder) -> None:
        self.config = config
        self._default = Slot(DEFAULT_NAME, config, default, default.rebuild_lock)
        self._slots: dict[str, Slot] = {DEFAULT_NAME: self._default}
        self._opening = asyncio.Lock()

    def shelf_for(self, guild_id: int | None) -> Shelf | None:
        """The library the config gives server `guild_id`, or None (the default one)."""
        if guild_id is None:
            return None
        return next((s for s in self.config.libraries if guild_id in s.guild_ids), None)

    def name_for(self, guild_id: int | None) -> str:
        """The name of the library server `guild_id` uses."""
        shelf = self.shelf_for(guild_id)
        return shelf.name if shelf else DEFAULT_NAME

    def open_slots(self) -> list[Slot]:
        """The libraries opened so far."""
        return list(self._slots.values())

    def opened(self, guild_id: int | None) -> Slot | None:
        """The server's library when already open (autocomplete must not wait for a build)."""
        return self._slots.get(self.name_for(guild_id))

    async def slot(self, guild_id: int | None) -> Slot:
        """The server's library, opened (built when stale) in a thread the first time."""
        name = self.name_for(guild_id)
        if name in self._slots:
            return self._slots[name]
        async with self._opening:
            if name not in self._slots:
                config = config_for(self.config, name)
                holder = await asyncio.to_thread(open_holder_of, config)
                lock = holder.rebuild_lock if holder else asyncio.Lock()
                self._slots[name] = Slot(name, config, holder, lock)
        return self._slots[name]
