"""A key among a mapped file's sorted fixed-width keys: a term's id in the vocabulary, a
brief's position among the brief ids, a title term among the contexts' terms.

index/_lookups.c answers where it was compiled; numpy's searchsorted and equality is the
fallback and the reference (tests/index/test_sorted_lookup.py holds them to one answer).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from index.postings_build import Array

_lookups: ModuleType | None
try:  # the compiled key lookup (setup.py); without it, numpy's searchsorted
    import index._lookups as _lookups
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _lookups = None


def find_sorted(keys: Array, key: bytes) -> int | None:
    """The position of `key` in `keys`, a byte-string array sorted bytewise, or None (an
    empty key, or one wider than the array's items, is never in it)."""
    if _lookups is not None:
        try:  # index/_lookups.c: the same search and equality, 0.3 us where numpy took 6
            found: int | None = _lookups.find(keys, key)
            return found
        except (TypeError, ValueError, BufferError):  # not one contiguous row of byte strings
            pass
    return _find_numpy(keys, key)


def _find_numpy(keys: Array, key: bytes) -> int | None:
    """find_sorted by numpy's searchsorted, then its equality (the compiled find's reference)."""
    if not key or not keys.size or len(key) > keys.dtype.itemsize:
        return None
    i = int(np.searchsorted(keys, key))
    return i if i < keys.size and keys[i] == key else None
