"""A key among a mapped file's sorted fixed-width keys: a term's id in the vocabulary, a
brief's position among the brief ids, a title term among the contexts' terms.

index/_lookups.c answers where it was compiled; numpy's searchsorted and equality is the
fallback and the reference (tests/index/test_sorted_lookup.py holds them to one answer).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType

import numpy as np

from index.postings_build import Array

_lookups: ModuleType | None
try:  # the compiled key lookup (setup.py); without it, numpy's searchsorted
    import index._lookups as _lookups
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _lookups = None


def sorted_finder(keys: Array) -> Callable[[bytes], int | None]:
    """The position of a key in `keys`, a byte-string array sorted bytewise, or None (an
    empty key, or one wider than the array's items, is never in it): a function of the key,
    for an array asked again and again (a brief's position at each citation, a term's id).
    Compiled, it holds the array's buffer (index/_lookups.c)."""
    if _lookups is not None:
        try:
            found: Callable[[bytes], int | None] = _lookups.Keys(keys).find
            return found
        except (TypeError, ValueError, BufferError):  # not one contiguous row of byte strings
            pass
    return functools.partial(_find_numpy, keys)


def _find_numpy(keys: Array, key: bytes) -> int | None:
    """sorted_finder by numpy's searchsorted, then its equality (the compiled one's reference)."""
    if not key or not keys.size or len(key) > keys.dtype.itemsize:
        return None
    i = int(np.searchsorted(keys, key))
    return i if i < keys.size and keys[i] == key else None
