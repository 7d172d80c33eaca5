"""briefbot's retrieval core: briefs in, cited passages out. Never imports discord.

A library (index/library.py) holds the briefs and passages; a Searcher
(index/search.py) runs questions over it with SearchSettings; the backends
(index/backends.py) build, save and load libraries in one of two file formats.
"""

from index.backends import load_index, save_index
from index.build import build_index
from index.cite import Citation
from index.library import Library
from index.question import Question, read_question
from index.refresh import Opened, open_index, rebuild, stale_reason
from index.search import Answer, Hit, Searcher
from index.settings import IndexSettings, SearchSettings

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
