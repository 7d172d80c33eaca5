"""The listing of `seeds/` (index/seeds.py): which files the index sees, under which names."""

from __future__ import annotations

import os

import pytest

from index.errors import SeedsMissing
from index.seeds import seed_sources


def _tree(root, files):
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Title\n\nText.\n", encoding="utf-8")


def test_listing_names_files_by_their_path_inside_sorted(tmp_path):
    _tree(
        tmp_path,
        [
            "b.txt",
            "A.md",
            "week2/z.txt",
            "week1/deep/er.html",
            "week1/a.yaml",
            ".hidden.txt",
            "~draft.txt",
            ".git/config.txt",
            "~old/x.txt",
            "__pycache__/y.txt",
        ],
    )
    found = seed_sources(tmp_path)
    assert list(found) == ["A.md", "b.txt", "week1/a.yaml", "week1/deep/er.html", "week2/z.txt"]
    assert found["week1/deep/er.html"].path == str(tmp_path / "week1" / "deep" / "er.html")
    assert all(p.is_file() for p in found.values())


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_links_to_files_count_links_to_folders_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    _tree(outside, ["far.txt", "folder/inner.txt"])
    seeds = tmp_path / "seeds"
    _tree(seeds, ["own.txt"])
    (seeds / "near.txt").symlink_to(outside / "far.txt")
    (seeds / "linked").symlink_to(outside / "folder", target_is_directory=True)
    (seeds / "broken.txt").symlink_to(outside / "missing.txt")
    assert list(seed_sources(seeds)) == ["near.txt", "own.txt"]


def test_a_missing_folder_is_seeds_missing(tmp_path):
    with pytest.raises(SeedsMissing):
        seed_sources(tmp_path / "nowhere")
