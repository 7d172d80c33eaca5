"""Shared fixtures: the real seed brief, and indexes built from it in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import IndexSettings, Library, Searcher, build_index

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_STEM = "interpreter-can-north-korea-play-off-russia-against-china"
SEED_TEXT = SEEDS / f"{SEED_STEM}.txt"


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of seeds/, free to change."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seed_library() -> Library:
    """The library of the real seeds/, built once per session (read-only)."""
    return build_index(SEEDS, IndexSettings())


@pytest.fixture(scope="session")
def seed_searcher(seed_library: Library) -> Searcher:
    """A searcher over the seed library with the default search settings."""
    return Searcher(seed_library)


@pytest.fixture
def config_file(tmp_path: Path, seeds_dir: Path) -> Path:
    """A config pointing at a private copy of seeds/ and a private data folder."""
    path = tmp_path / "config.yaml"
    path.write_text("seeds_dir: seeds\ndata_dir: data\n", encoding="utf-8")
    return path
