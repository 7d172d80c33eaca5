"""briefbot's retrieval core: briefs in, cited passages out. Never imports discord.

A library (index/library.py) holds the briefs and passages; a Searcher
(index/search.py) runs questions over it with SearchSettings; the backends
(index/backends.py) build, save and load libraries in one of two file formats.
"""

from typing import TYPE_CHECKING

from index.backends import load_index, save_index
from index.cite import Citation
from index.library import Library
from index.question import Question, read_question
from index.refresh import Opened, open_index, rebuild, stale_reason
from index.search import Answer, Hit, Searcher
from index.settings import IndexSettings, SearchSettings

if TYPE_CHECKING:
    from index.build import build_index


def __getattr__(name: str) -> object:
    # build_index is imported on first use: reading briefs (their parsers, the HTML and PDF
    # readers) costs a question over a saved, fresh index ~5 ms it does not need.
    if name == "build_index":
        from index.build import build_index

        return build_index
    raise AttributeError(f"module 'index' has no attribute {name!r}")


__all__ = [
    "Answer",
    "Citation",
    "Hit",
    "IndexSettings",
    "Library",
    "Opened",
    "Question",
    "SearchSettings",
    "Searcher",
    "build_index",
    "load_index",
    "open_index",
    "read_question",
    "rebuild",
    "save_index",
    "stale_reason",
]
