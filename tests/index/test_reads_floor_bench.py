"""bench/reads_floor.py bounds what cheaper reads could save: its modes must really read
ahead and keep what they read (else "reads free" would measure the file's reads after
all), and its table must give a row and a ratio a mode."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import pytest

import index.mapped_tables as tables
from bench.corpus import Synthetic
from bench.peers import build_briefbot
from bench.reads_floor import MODES, main, read_ahead, unbounded
from index import IndexSettings, load_index
from index.library import Library


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("floor") / "index"
    build_briefbot(list(Synthetic().passages(600)), out)
    return out


def opened(path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The file's library, read ahead as `mode` (the kept limit put back afterwards)."""
    monkeypatch.setattr(tables, "_CACHED_PASSAGES", tables._CACHED_PASSAGES)
    unbounded(tables, mode)
    library = load_index(path, replace(IndexSettings(), engine="numpy"))
    read_ahead(library, mode)
    return library


@pytest.mark.parametrize(
    ("mode", "passages_kept", "cites_read"),
    [("as built", False, True), ("passages read", True, True), ("reads free", True, False)],
)
def test_each_mode_keeps_what_it_reads_ahead(
    small_index: Path, mode: str, passages_kept: bool, cites_read: bool, monkeypatch
) -> None:
    library = opened(small_index, mode, monkeypatch)
    passages = library.passages
    assert isinstance(passages, tables.PassageTable)
    assert len(passages) == 600 > tables._CACHED_PASSAGES or passages_kept
    assert (len(passages._kept) == len(passages)) is passages_kept
    first = passages[0]
    passages.briefs._cited.clear()  # as for a passage read long before it is cited
    reads = []
    monkeypatch.setattr(passages.briefs._cites, "named_cited", lambda n: reads.append(n))
    with contextlib.suppress(Exception):
        library.citation(first)
    assert bool(reads) is cites_read  # a citation reads the file unless read ahead


def test_the_table_gives_each_mode_its_ratio(small_index: Path, capsys) -> None:
    assert main(["--index", str(small_index), "--runs", "1", "--queries", "20"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows[1:]] == list(MODES)
    assert rows[1].endswith("| 1.00x |")  # as built, against itself
    assert all(float(row.split(" | ")[-1].rstrip("x |")) > 0 for row in rows[1:])


def test_a_missing_file_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["--index", str(tmp_path / "nothing"), "--runs", "1"]) == 2
    assert "no index file" in capsys.readouterr().err
