"""Shared fixtures: the real seed brief, and indexes built from it in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import Index, IndexSettings, build_index

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
def seed_index() -> Index:
    """The index of the real seeds/, built once per session (read-only)."""
    return build_index(SEEDS, IndexSettings())
