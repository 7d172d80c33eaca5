"""The index file: round trip, atomic write, and stale or foreign files noticed."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from index import IndexSettings, Searcher, build_index, load_index, open_index, save_index
from index.errors import EmptyCorpus, IndexMissing, IndexUnreadable, SeedsMissing
from index.json_backend import FORMAT_VERSION

QUESTIONS = ["border length", "Shoigu letter Putin", "no limits partnership", "1961 treaties"]


def ids(index, question):
    return [h.passage_id for h in Searcher(index).search(question, 5).hits]


def test_round_trip_gives_same_results(seeds_dir, tmp_path):
    built = build_index(seeds_dir, IndexSettings())
    path = tmp_path / "data" / "index.json"
    save_index(built, path)
    loaded = load_index(path, IndexSettings())
    assert loaded.passages == built.passages
    assert loaded.briefs == built.briefs
    for question in QUESTIONS:
        assert ids(loaded, question) == ids(built, question)
    assert not [p for p in path.parent.iterdir() if p.name != "index.json"]


def test_file_is_versioned_json_not_pickle(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    save_index(build_index(seeds_dir, IndexSettings()), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "briefbot-index"
    assert data["version"] == FORMAT_VERSION
    assert data["settings"]["variant"] == "bm25l"
    assert set(data["sources"]) == {p.name for p in seeds_dir.iterdir()}
    assert all(len(s["sha256"]) == 64 for s in data["sources"].values())


def test_open_builds_when_missing_then_loads(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    first = open_index(seeds_dir, path, IndexSettings())
    assert first.rebuilt_because == "no index had been built yet"
    second = open_index(seeds_dir, path, IndexSettings())
    assert second.rebuilt_because is None


def test_changed_seed_is_noticed_and_rebuilt(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    open_index(seeds_dir, path, IndexSettings())
    brief = next(seeds_dir.glob("*.txt"))
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("1,350-kilometre", "1,400-kilometre"), encoding="utf-8")
    opened = open_index(seeds_dir, path, IndexSettings())
    assert opened.rebuilt_because == f"the briefs changed (changed: {brief.name})"
    assert "1,400-kilometre" in Searcher(opened.index).search("border", 1).hits[0].text


def test_touched_but_unchanged_seed_is_not_rebuilt(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    open_index(seeds_dir, path, IndexSettings())
    brief = next(seeds_dir.glob("*.txt"))
    os.utime(brief, ns=(brief.stat().st_atime_ns, brief.stat().st_mtime_ns + 10**9))
    assert open_index(seeds_dir, path, IndexSettings()).rebuilt_because is None


def test_added_brief_is_noticed(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    open_index(seeds_dir, path, IndexSettings())
    (seeds_dir / "extra.txt").write_text("Extra\n\nBody about tariffs.\n", encoding="utf-8")
    opened = open_index(seeds_dir, path, IndexSettings())
    assert opened.rebuilt_because == "the briefs changed (added: extra.txt)"
    assert Searcher(opened.index).search("tariffs", 1).hits[0].citation.brief == "extra"


def test_other_settings_force_rebuild(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    open_index(seeds_dir, path, IndexSettings())
    with pytest.raises(IndexUnreadable, match="other settings"):
        load_index(path, replace(IndexSettings(), variant="okapi"))
    opened = open_index(seeds_dir, path, replace(IndexSettings(), variant="okapi"))
    assert (
        opened.rebuilt_because
        == "the saved index could not be used: it was built with other settings"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"format": "briefbot-index", "vers', "not valid JSON"),
        (b"\x80\x81", "not valid JSON"),
        (b"[1, 2]", "not a briefbot index"),
        (b'{"format": "briefbot-index", "version": 999}', "format version 999"),
    ],
)
def test_damaged_files_are_recognised(tmp_path, content, reason):
    path = tmp_path / "index.json"
    path.write_bytes(content)
    with pytest.raises(IndexUnreadable, match=reason):
        load_index(path, IndexSettings())


def test_missing_index_and_missing_seeds(tmp_path):
    with pytest.raises(IndexMissing) as missing:
        load_index(tmp_path / "none.json", IndexSettings())
    assert missing.value.path == tmp_path / "none.json"
    with pytest.raises(SeedsMissing, match="does not exist"):
        build_index(tmp_path / "no-seeds", IndexSettings())


def test_no_usable_brief_is_an_error(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(EmptyCorpus, match=r"empty\.txt: it is empty"):
        build_index(seeds, IndexSettings())


def test_old_leftovers_of_killed_writers_are_removed(seeds_dir, tmp_path):
    path = tmp_path / "index.json"
    old = tmp_path / ".index.json.dead.tmp"
    young = tmp_path / ".index.json.busy.tmp"
    old.write_text("partial", encoding="utf-8")
    young.write_text("partial", encoding="utf-8")
    os.utime(old, (1, 1))
    save_index(build_index(seeds_dir, IndexSettings()), path)
    assert not old.exists()
    assert young.exists()
