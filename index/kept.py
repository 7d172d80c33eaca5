"""Values kept up to a limit, the oldest forgotten first.

A search reads or makes the same things again and again (passages, brief records, term
ids, a passage's sentence terms and vectors), so each is kept; a large library holds more
than memory should, so each keeps a bounded number. Forgetting the oldest, not all at once:
clearing everything at the limit lost a search's passages between its phrase check and its
hits, and kept on average half the limit.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(OrderedDict[K, V]):
    """A map of at most `limit` entries; keeping one more forgets the oldest (an
    OrderedDict: a dict's first key is found by scanning the slots its earlier removals
    emptied, 2.3 us against 0.27). Not an LRU: a read does not move its key, which would
    cost on every read more than the rare miss it saves."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        """Keep `value` under `key` (forgetting the oldest at the limit, unless `key` is
        kept already), and return it."""
        if len(self) >= self.limit and key not in self:
            self.popitem(last=False)
        self[key] = value
        return value
