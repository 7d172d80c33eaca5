"""The index the bot is serving, swapped whole when a moderator rebuilds it."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from index import Library, Searcher
from index.vectors import Embedder


class IndexHolder:
    """The current searcher (and its library) plus the lock that makes rebuilds one at a time.

    Readers take `current` once and search that object, so a swap in the middle
    of a search never mixes two libraries.
    """

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self.rebuild_lock = asyncio.Lock()

    @property
    def current(self) -> Searcher:
        """The searcher to ask now."""
        return self._searcher

    @property
    def library(self) -> Library:
        """The library served now."""
        return self._searcher.library

    @property
    def encoder(self) -> Embedder | None:
        """The sentence encoder searches use (None: words alone)."""
        meaning = self._searcher.meaning
        return meaning.encoder if meaning is not None else None

    def swap(self, library: Library) -> Library:
        """Serve `library` from now on, with the same settings and encoder; return the old one."""
        new = Searcher(library, self._searcher.settings, self.encoder)
        old, self._searcher = self._searcher, new
        return old.library


class Cooldowns:
    """At most `uses` actions per user in any `seconds` window (sliding), in memory."""

    def __init__(self, uses: int, seconds: float, max_users: int = 10_000) -> None:
        self.uses = uses
        self.seconds = seconds
        self._max_users = max_users
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()

    def retry_after(self, user_id: int, now: float | None = None) -> float:
        """Record one use by `user_id`; return 0 when allowed, else seconds to wait."""
        if self.seconds <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        stamps = self._seen.pop(user_id, None) or deque()
        while stamps and now - stamps[0] >= self.seconds:
            stamps.popleft()
        wait = 0.0
        if len(stamps) >= self.uses:
            wait = self.seconds - (now - stamps[0])
        else:
            stamps.append(now)
        self._seen[user_id] = stamps
        # Forget the users seen longest ago, so the table cannot grow without bound.
        while len(self._seen) > self._max_users:
            self._seen.popitem(last=False)
        return wait


@dataclass(frozen=True)
class Pending:
    """A question remembered for its "More" button."""

    question: str
    count: int


class Memo:
    """Questions behind "More" buttons, by short key; the oldest are forgotten first.

    A custom_id holds at most 100 characters, and a question up to 4,000, so the
    button carries a key. After a restart the keys are gone and the button says so.
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: OrderedDict[str, Pending] = OrderedDict()

    def put(self, pending: Pending) -> str:
        """Remember `pending`; return its key."""
        # Random, not a counter: after a restart an old button must not find a new question.
        key = secrets.token_hex(5)
        self._items[key] = pending
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Pending | None:
        """The question behind `key`, or None when forgotten."""
        return self._items.get(key)
