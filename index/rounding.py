"""round(x, digits) for what a search shows (a hit's score, coverage and similarity, a
sentence's weight): index/_rounding.c where it was compiled, the same value bit for bit
without printing x as decimal text (CPython's round does: 2.2% of a whole search's
instructions at 10^5); Python's round elsewhere."""

from __future__ import annotations

from collections.abc import Callable

rounded: Callable[[float, int], float]
try:  # the compiled rounding (setup.py)
    from index._rounding import rounded
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    rounded = round
