"""Fixtures shared by the engine's tests."""

from __future__ import annotations

import pytest

from bench.corpus import Synthetic
from index.tokenize import tokenize


@pytest.fixture(scope="session")
def synthetic() -> tuple[list[list[str]], list[list[str]]]:
    """5,000 synthetic passages over a small vocabulary (long lists, many shared words and
    ties), and 60 queries: each passage's tokens, each query's distinct terms."""
    corpus = Synthetic(seed=5, vocabulary=3000)
    tokens = [tokenize(t) for t in corpus.passages(5000)]
    queries = [list(dict.fromkeys(tokenize(q))) for q in corpus.queries(60)]
    return tokens, queries
