"""Shared fixtures: the real seed brief, and indexes built from it in tmp_path."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from index import IndexSettings, Library, Searcher, build_index
from index.meaning import shared_encoder
from index.vectors import Embedder

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


# The sentence encoder's converted weights, shared by every test (and test run): converting
# takes about a second, mapping the converted file milliseconds.
# One folder per environment: the converted file records which installed package it was
# made from, so two environments sharing one folder would convert it over and over.
MODEL_CACHE = Path(tempfile.gettempdir()) / (
    "briefbot-tests-model-" + hashlib.sha256(sys.prefix.encode()).hexdigest()[:12]
)


def encoder() -> Embedder | None:
    """The sentence encoder, loaded once per process, as the front ends load it."""
    return shared_encoder(None, MODEL_CACHE)


@pytest.fixture(scope="session")
def seed_library() -> Library:
    """The library of the real seeds/ with sentence vectors, built once per session."""
    return build_index(SEEDS, IndexSettings(), encoder=encoder())


@pytest.fixture(scope="session")
def seed_searcher(seed_library: Library) -> Searcher:
    """A searcher over the seed library with the default search settings and the encoder,
    as `briefbot ask` and the bot search."""
    return Searcher(seed_library, encoder=encoder())


@pytest.fixture
def config_file(tmp_path: Path, seeds_dir: Path) -> Path:
    """A config pointing at a private copy of seeds/ and a private data folder."""
    path = tmp_path / "config.yaml"
    path.write_text(
        f"seeds_dir: seeds\ndata_dir: data\nmeaning:\n  cache_dir: {MODEL_CACHE}\n",
        encoding="utf-8",
    )
    return path
