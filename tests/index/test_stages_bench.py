"""bench/stages.py times the whole search's stages by wrapping them: every stage it names
must still exist, each must be timed, none may take longer than the search holding it,
and the wrappers must be gone afterwards (a search after it runs unwrapped: its child
process checks, and fails the measure when one is left)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import Synthetic
from bench.peers import build_briefbot
from bench.stages import measure, table


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stages") / "index"
    build_briefbot(list(Synthetic().passages(2000)), out)
    return out


def test_every_stage_is_timed_within_the_search(small_index: Path) -> None:
    rows, p50_ms = measure(small_index, queries=40, warm=5)
    whole = rows[0][1]
    assert rows[0][2] == 1.0  # one search a question
    # The wrapped searches' mean is the unwrapped p50 plus the wrappers and the tail: the
    # same order of magnitude, in the same unit.
    assert 0.5 <= whole / (p50_ms * 1000) <= 4
    for label, us, _ in rows[1:]:
        assert 0 <= us <= whole, label
    timed = {label: calls for label, _, calls in rows}
    # The stages every question of the bench reaches: ranked, read and cited.
    for label in ("ranking by words", "  the kernel's top candidates", "  citations"):
        assert timed[label] >= 1, label
    text = table(rows, p50_ms, "2,000 passages")
    assert text.count("\n| ") == len(rows) + 1  # a header and a row a stage
