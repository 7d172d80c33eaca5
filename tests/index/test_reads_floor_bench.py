"""bench/reads_floor.py bounds what cheaper reads could save: its modes must really read
ahead and keep what they read (else "reads free" would measure the file's reads after
all), and its table must give a row and a ratio a mode."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import index.mapped_tables as tables
from bench.corpus import Synthetic
from bench.peers import build_briefbot
from bench.reads_floor import MODES, main, read_ahead, unbounded
from index import IndexSettings, load_index


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("floor") / "index"
    build_briefbot(list(Synthetic().passages(600)), out)
    return out


def opened(path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> tables.PassageTable:
    """The file's passages, read ahead as `mode` (the kept limits put back afterwards)."""
    for name in ("_CACHED_BRIEFS", "_CACHED_PASSAGES"):
        monkeypatch.setattr(tables, name, getattr(tables, name))
    unbounded(tables, mode)
    passages = load_index(path, replace(IndexSettings(), engine="numpy")).passages
    assert isinstance(passages, tables.PassageTable)
    read_ahead(passages, mode)
    return passages


@pytest.mark.parametrize(
    ("mode", "briefs_kept", "passages_kept"),
    [("as built", False, False), ("briefs read", True, False), ("reads free", True, True)],
)
def test_each_mode_keeps_what_it_reads_ahead(
    small_index: Path, mode: str, briefs_kept: bool, passages_kept: bool, monkeypatch
) -> None:
    passages = opened(small_index, mode, monkeypatch)
    assert len(passages) == 600 > tables._CACHED_PASSAGES or passages_kept
    assert (len(passages.briefs._kept) == len(passages.briefs)) is briefs_kept
    assert (len(passages._kept) == len(passages)) is passages_kept


def test_the_table_gives_each_mode_its_ratio(small_index: Path, capsys) -> None:
    assert main(["--index", str(small_index), "--runs", "1", "--queries", "20"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows[1:]] == list(MODES)
    assert rows[1].endswith("| 1.00x |")  # as built, against itself
    assert all(float(row.split(" | ")[-1].rstrip("x |")) > 0 for row in rows[1:])


def test_a_missing_file_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["--index", str(tmp_path / "nothing"), "--runs", "1"]) == 2
    assert "no index file" in capsys.readouterr().err
