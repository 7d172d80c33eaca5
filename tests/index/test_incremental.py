"""Refreshing an index reads only the briefs that changed, and ends where a full build would."""

from __future__ import annotations

from dataclasses import replace

import pytest

import index.build
import index.settings
from bench.corpus import seed_briefs
from index import IndexSettings, Searcher, build_index, open_index, rebuild
from tests.conftest import SEED_TEXT

ENGINES = ["numpy", "rank-bm25"]


@pytest.fixture
def library(tmp_path):
    """Twelve briefs made from the seed brief, and the seed's metadata for the first."""
    seeds = tmp_path / "seeds"
    seed_briefs(SEED_TEXT.read_text(encoding="utf-8"), 12, seeds)
    (seeds / "brief-00000.yaml").write_text(SEED_TEXT.with_suffix(".yaml").read_text())
    return seeds


@pytest.fixture
def reads(monkeypatch):
    """The names of the briefs read from disk."""
    names: list[str] = []
    real = index.build.load_brief

    def counting(path, metadata=None):
        names.append(path.name)
        return real(path, metadata)

    monkeypatch.setattr(index.build, "load_brief", counting)
    return names


def same_index(a, b):
    assert list(a.passages) == list(b.passages)
    assert [list(t) for t in a.tokens] == [list(t) for t in b.tokens]
    assert a.briefs == b.briefs and a.sources == b.sources and a.skipped == b.skipped
    for q in ["China border", "Putin Kim summit sanctions", "alliance treaty"]:
        assert [h.passage_id for h in Searcher(a).search(q, 5).hits] == [
            h.passage_id for h in Searcher(b).search(q, 5).hits
        ]


@pytest.mark.parametrize("engine", ENGINES)
def test_only_the_changed_brief_is_read(library, tmp_path, reads, engine):
    settings = replace(IndexSettings(), engine=engine)
    path = tmp_path / "data" / "index.json"
    rebuild(library, path, settings)
    changed = library / "brief-00005.txt"
    changed.write_text(changed.read_text() + "\n\nA closing paragraph on grain exports.\n")
    (library / "brief-00009.txt").unlink()
    (library / "extra.txt").write_text("Extra brief\n\nOne paragraph about grain and rice.\n")
    reads.clear()
    opened = open_index(library, path, settings)
    assert sorted(reads) == ["brief-00005.txt", "extra.txt"]
    assert "changed: brief-00005.txt" in (opened.rebuilt_because or "")
    same_index(opened.index, build_index(library, settings))
    assert (
        Searcher(opened.index)
        .search("grain exports", 1)
        .hits[0]
        .passage_id.startswith("brief-00005")
    )


def test_changed_metadata_rereads_its_brief(library, tmp_path, reads):
    path = tmp_path / "index.json"
    rebuild(library, path, IndexSettings())
    (library / "brief-00000.yaml").write_text("title: A new title\n")
    reads.clear()
    opened = open_index(library, path, IndexSettings())
    assert reads == ["brief-00000.txt"]
    assert opened.index.briefs["brief-00000"].title == "A new title"


def test_untouched_library_is_not_rebuilt(library, tmp_path, reads):
    path = tmp_path / "index.json"
    rebuild(library, path, IndexSettings())
    reads.clear()
    assert open_index(library, path, IndexSettings()).rebuilt_because is None
    assert reads == []


def test_another_tokenizer_version_rebuilds_everything(library, tmp_path, reads, monkeypatch):
    path = tmp_path / "index.json"
    rebuild(library, path, IndexSettings())
    monkeypatch.setattr(index.settings, "TOKENIZER_VERSION", 999)
    reads.clear()
    opened = open_index(library, path, IndexSettings())
    assert "other settings" in (opened.rebuilt_because or "")
    assert len(reads) == 12
