"""The one place a storage format is chosen: by the engine the settings pick (build, save)
or by what the file holds (load)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.engines import engine_kind
from index.files import is_large
from index.json_backend import JsonBackend
from index.library import Library
from index.settings import IndexSettings

if TYPE_CHECKING:
    from index.draft import Draft


class Backend(Protocol):
    """One index file format: how a library of that format is built, saved and loaded."""

    name: str

    def owns(self, path: Path) -> bool:
        """True when the file at `path` is of this format."""
        ...

    def assemble(self, draft: Draft, previous: Library | None) -> Library:
        """The library of `draft`, reusing the terms of `previous` for unchanged passages."""
        ...

    def save(self, library: Library, path: Path) -> None:
        """Write `library` to `path` atomically; IndexUnwritable leaves the old file."""
        ...

    def serving(self, library: Library, path: Path) -> Library:
        """What to serve once `library` is saved at `path`."""
        ...

    def load(self, path: Path, settings: IndexSettings) -> Library:
        """The library saved at `path` (IndexMissing, IndexUnreadable)."""
        ...


JSON = JsonBackend()


@cache
def _mapped() -> Backend:
    # Imported when a library or a file is of this format: its modules (the numpy engine,
    # the token encoder, the checks) would cost a question over a small JSON index ~5 ms.
    from index.mapped_backend import MappedBackend

    return MappedBackend()


def backend_for(settings: IndexSettings, passages: int) -> Backend:
    """The format a library of this size is built and saved in: mapped for the numpy engine."""
    return _mapped() if engine_kind(settings, passages) == "numpy" else JSON


def backend_of_file(path: Path) -> Backend:
    """The format of the file at `path` (JSON for anything else, which its loader refuses)."""
    return _mapped() if is_large(path) else JSON


def save_index(library: Library, path: Path) -> None:
    """Write `library` to `path` atomically, in the format its engine needs."""
    backend_for(library.settings, len(library.passages)).save(library, path)


def load_index(path: Path, settings: IndexSettings) -> Library:
    """Load the index at `path` without reading the sources (IndexMissing, IndexUnreadable)."""
    return backend_of_file(path).load(path, settings)
