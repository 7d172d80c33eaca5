"""A mapped index's brief contexts: the terms of each brief's title and standfirst, kept
by the file as postings (ctx_terms, ctx_ptr, ctx_brief; index/mapped_arrays.py makes them)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import ModuleType

import numpy as np

from index.engine_numpy import KNOWN_TERMS
from index.mapped_check import FileGuard
from index.postings_build import Array
from index.sorted_keys import sorted_finder

_kernel: ModuleType | None
try:  # the compiled binary searches (setup.py); without it, numpy's
    import index._maxscore as _kernel
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _kernel = None


class ContextTable:
    """The terms of each brief's title and standfirst, as postings: for each term, the
    briefs holding it (Contexts). A question's candidates meet a brief each: asking each
    term once costs less than reading each brief's record."""

    def __init__(self, arrays: Mapping[str, Array], guard: FileGuard | None = None) -> None:
        self._terms, self._ptr = arrays["ctx_terms"], arrays["ctx_ptr"]
        self._find_term = sorted_finder(self._terms)
        self._briefs, self._p_brief = arrays["ctx_brief"], arrays["p_brief"]
        self.guard = guard
        # Each term's slice of ctx_brief, kept: a bytewise search costs 1.7 us, and every
        # search asks each of its terms.
        self._span = functools.lru_cache(maxsize=KNOWN_TERMS)(self._find_span)
        # The compiled search reads both arrays as int32 in one piece (a mapped file's are).
        self.compiled = all(
            a.dtype == np.int32 and a.flags.c_contiguous for a in (self._briefs, self._p_brief)
        )

    def holds(self, terms: Sequence[str], ids: Sequence[int]) -> list[list[bool]]:
        """For each of `terms`, whether the brief of each passage of `ids` holds it."""
        if self.guard is not None:
            self.guard.check()  # before any read of the mapping (SIGBUS)
        if _kernel is not None and self.compiled:
            spans = [self._span(term) for term in terms]
            if not any(hi > lo for lo, hi in spans):  # most questions: no term in any title
                return [[False] * len(ids) for _ in spans]
            held: list[list[bool]] = _kernel.holds(self._briefs, spans, self._p_brief, ids)
            return held
        numbers = self._p_brief[np.asarray(ids, dtype=np.intp)]
        out = []
        for term in terms:
            briefs = self._briefs_of(term)
            if not briefs.size:  # most of a question's terms are in no title
                out.append([False] * len(ids))
                continue
            # Each slice ascends (checked at load): a brief is held where it is found.
            at = np.minimum(np.searchsorted(briefs, numbers), briefs.size - 1)
            out.append((briefs[at] == numbers).tolist())
        return out

    def _briefs_of(self, term: str) -> Array:
        """The briefs whose title or standfirst holds `term`, ascending (none: empty)."""
        lo, hi = self._span(term)
        return self._briefs[lo:hi]

    def _find_span(self, term: str) -> tuple[int, int]:
        """Where `term`'s briefs lie in ctx_brief ((0, 0): no title holds it)."""
        t = self._find_term(term.encode("utf-8"))
        return (0, 0) if t is None else (int(self._ptr[t]), int(self._ptr[t + 1]))
