"""The numpy engine over a mapped file, each read of it guarded: the file is looked at
(FileGuard, index/mapped_check.py) before the ranking, a term's lookup or the candidates'
columns read the mapping, so a file overwritten in place is refused, never a SIGBUS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from index.engine_numpy import NumpyEngine
from index.mapped_check import FileGuard
from index.postings_build import Array
from index.settings import IndexSettings


class GuardedEngine(NumpyEngine):
    """The numpy engine over a mapped file: each read first checks the file is unchanged
    (FileGuard), so a file overwritten in place raises IndexUnreadable instead of SIGBUS."""

    def __init__(
        self, arrays: Mapping[str, Array], settings: IndexSettings, guard: FileGuard | None = None
    ) -> None:
        super().__init__(arrays, settings)
        self.guard = guard

    def _check(self) -> None:
        if self.guard is not None:
            self.guard.check()

    def top(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """NumpyEngine.top, once the file is known unchanged."""
        self._check()
        return super().top(terms, k)

    def document_frequency(self, term: str) -> int:
        """NumpyEngine.document_frequency, once the file is known unchanged."""
        self._check()
        return super().document_frequency(term)

    def vocabulary(self) -> Iterator[str]:
        """NumpyEngine.vocabulary, once the file is known unchanged."""
        self._check()
        return super().vocabulary()

    def columns(
        self, terms: Sequence[str], ids: Sequence[int]
    ) -> list[tuple[list[float], list[bool]]]:
        """NumpyEngine.columns, once the file is known unchanged."""
        self._check()
        return super().columns(terms, ids)
