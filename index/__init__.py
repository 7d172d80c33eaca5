"""briefbot's retrieval core: briefs in, cited passages out. Never imports discord."""

from index.build import build_index
from index.cite import Citation
from index.query import check_question
from index.refresh import Opened, open_index, rebuild, stale_reason
from index.search import Answer, Hit, Index
from index.settings import IndexSettings
from index.store import load_index, save_index

__all__ = [
    "Answer",
    "Citation",
    "Hit",
    "Index",
    "IndexSettings",
    "Opened",
    "build_index",
    "check_question",
    "load_index",
    "open_index",
    "rebuild",
    "save_index",
    "stale_reason",
]
