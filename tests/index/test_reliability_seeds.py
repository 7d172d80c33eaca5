"""Promise 2: broken sources are skipped, not fatal.

Each unusable file in seeds/ is reported by name with the reason (in `Index.skipped`,
kept in the index file for the bot's /reindex, and in `briefbot index` output); the
rest is indexed. Only "no usable brief at all" is an error.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from bot.cli import main
from index import IndexSettings, Searcher, build_index, load_index, rebuild
from index.brief import MAX_BRIEF_BYTES
from index.errors import EmptyCorpus
from tests.conftest import SEED_STEM

GOOD = "Good brief\n\nA standfirst.\n\nThis brief is about tariffs on steel.\n\nAnd quotas.\n"

# file name -> (content, start of the reason it is skipped)
BROKEN: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "it is empty"),
    "blank.md": (b" \n\n\t\n", "it is empty"),
    "binary.txt": (bytes(range(256)) * 4, "it is a binary file, not text"),
    "latin1.txt": ("Caf\u00e9\n\nUn caf\u00e9 cr\u00e8me.\n".encode("latin-1"), "it is not UTF-8"),
    "title-only.txt": (b"Just a title\n", "it has no body paragraphs"),
    "orphan.yaml": (b"title: A brief that is not there\n", "metadata file with no brief"),
    "good.yaml": (
        b"title: [unclosed\n",
        "it is not valid YAML (line 2, column 1: expected ',' or ']'",
    ),
    "notes.pdf": (b"%PDF-1.7\n", "the PDF is damaged"),
}


def make_broken_seeds(seeds):
    """The real seed, one good extra brief with bad metadata, and every kind of broken file."""
    (seeds / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, (content, _) in BROKEN.items():
        (seeds / name).write_bytes(content)
    # 50 MB, created sparse so the test stays fast; the limit is checked before reading.
    with (seeds / "huge.txt").open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    # Metadata that is too large to parse quickly, for a brief that is fine.
    (seeds / "big-meta.txt").write_text(
        "Big meta\n\nA standfirst.\n\nFishing rights.\n\nAnd ports.\n", encoding="utf-8"
    )
    (seeds / "big-meta.yaml").write_text("title: x\n" + "# padding\n" * 20_000, encoding="utf-8")


EXPECTED_SKIPS = {
    **{name: reason for name, (_, reason) in BROKEN.items()},
    "huge.txt": f"it is 50 MB, over the {MAX_BRIEF_BYTES // 1_048_576} MB limit",
    "big-meta.yaml": "it is over the 64 KB limit; indexed the brief without it",
}


def check_skips(skipped):
    reasons = {s.file: s.reason for s in skipped}
    assert set(reasons) == set(EXPECTED_SKIPS)
    for name, start in EXPECTED_SKIPS.items():
        assert reasons[name].startswith(start), (name, reasons[name])


def test_broken_files_are_skipped_with_reasons(seeds_dir, tmp_path):
    make_broken_seeds(seeds_dir)
    index = build_index(seeds_dir, IndexSettings())
    assert sorted(index.briefs) == ["big-meta", "good", SEED_STEM]
    check_skips(index.skipped)
    # The brief with bad metadata is indexed under the title from its text.
    assert index.briefs["good"].title == "Good brief"
    assert Searcher(index).search("tariffs steel", 1).hits[0].citation.brief == "good"
    assert Searcher(index).search("border", 1).hits[0].citation.brief == SEED_STEM
    # The reasons survive the index file, for the bot's /reindex answer.
    path = tmp_path / "index.json"
    rebuild(seeds_dir, path, IndexSettings())
    check_skips(load_index(path, IndexSettings()).skipped)


def test_briefbot_index_reports_each_skipped_file(seeds_dir, config_file, capsys):
    make_broken_seeds(seeds_dir)
    assert main(["--config", str(config_file), "index"]) == 0
    out, err = capsys.readouterr()
    lines = out.replace("\n    ", " ").splitlines()  # wrapped lines continue indented
    assert lines[0].startswith("Indexed 3 brief(s), 17 passages in ")  # 2 are captions
    skipped = {line.split(":")[0]: line for line in lines[1:]}
    assert set(skipped) == {f"Skipped {name}" for name in EXPECTED_SKIPS}
    for name, reason in EXPECTED_SKIPS.items():
        assert skipped[f"Skipped {name}"].startswith(f"Skipped {name}: {reason}")
    assert "Traceback" not in err
    assert main(["--config", str(config_file), "ask", "tariffs on steel"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("[1] Good brief, \u00b61") and err == ""


def test_unreadable_file_is_skipped(seeds_dir, monkeypatch):
    (seeds_dir / "locked.txt").write_text(GOOD, encoding="utf-8")
    real_read_bytes = pathlib.Path.read_bytes
    real_open = pathlib.Path.open

    def denied(path, *args, **kwargs):
        if path.name == "locked.txt":
            raise PermissionError(13, os.strerror(13), str(path))
        return real_read_bytes(path, *args, **kwargs)

    def denied_open(path, *args, **kwargs):
        if path.name == "locked.txt":
            raise PermissionError(13, os.strerror(13), str(path))
        return real_open(path, *args, **kwargs)

    real_os_open = os.open

    def denied_os_open(path, *args, **kwargs):  # briefs are read with os.open (safe_files)
        if os.fspath(path).endswith("locked.txt"):
            raise PermissionError(13, os.strerror(13), str(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    monkeypatch.setattr(pathlib.Path, "open", denied_open)
    monkeypatch.setattr(os, "open", denied_os_open)
    index = build_index(seeds_dir, IndexSettings())
    assert [(s.file, s.reason) for s in index.skipped] == [
        ("locked.txt", "cannot read it (Permission denied)")
    ]
    assert list(index.briefs) == [SEED_STEM]


def test_file_name_that_is_not_utf8_is_ignored_with_a_warning(seeds_dir, tmp_path, caplog):
    bad_name = os.fsdecode(b"caf\xe9.txt")
    (seeds_dir / bad_name).write_text(GOOD, encoding="utf-8")
    path = tmp_path / "index.json"
    index = rebuild(seeds_dir, path, IndexSettings())  # must be storable as JSON
    assert list(index.briefs) == [SEED_STEM]
    assert "its name is not UTF-8; rename it" in caplog.text
    assert load_index(path, IndexSettings()).sources.keys() == index.sources.keys()


def test_no_usable_brief_is_the_only_error(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    make_broken_seeds(seeds)
    (seeds / "good.txt").unlink()
    (seeds / "big-meta.txt").unlink()
    with pytest.raises(EmptyCorpus, match=r"^No usable brief in .*empty\.txt: it is empty"):
        build_index(seeds, IndexSettings())
    config = tmp_path / "config.yaml"
    config.write_text("seeds_dir: seeds\n", encoding="utf-8")
    assert main(["--config", str(config), "index"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"briefbot: No usable brief in {seeds} (")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("setup", ["missing folder", "empty folder", "only hidden files"])
def test_nothing_to_index_is_a_clear_error(tmp_path, capsys, setup):
    seeds = tmp_path / "seeds"
    if setup != "missing folder":
        seeds.mkdir()
    if setup == "only hidden files":
        (seeds / ".draft.txt").write_text(GOOD, encoding="utf-8")
        (seeds / "~lock.txt").write_text(GOOD, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("seeds_dir: seeds\n", encoding="utf-8")
    assert main(["--config", str(config), "index"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("briefbot: ")
    nothing = "has no .txt, .md, .html or .pdf file"
    assert ("does not exist" if setup == "missing folder" else nothing) in err


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("date: 2023-08-15\n", "2023-08-15"),  # YAML reads it as a date, not text
        ("date: 2023-08-15 10:30:00\n", "2023-08-15T10:30:00"),
        ('date: "15 August 2023"\n', "15 August 2023"),
    ],
)
def test_dates_in_metadata_are_kept(seeds_dir, metadata, expected):
    (seeds_dir / "good.txt").write_text(GOOD, encoding="utf-8")
    (seeds_dir / "good.yaml").write_text("title: Good\n" + metadata, encoding="utf-8")
    index = build_index(seeds_dir, IndexSettings())
    assert index.skipped == ()
    assert (index.briefs["good"].title, index.briefs["good"].date) == ("Good", expected)


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ("- a list\n", "it must be a mapping of keys such as title: and url:"),
        ("titel: Typo\n", "unknown key 'titel' (allowed: title, publisher, url, author, date)"),
        ("title: [a, b]\n", "title must be text"),
        ("title: &a [*a]\n", "it is not valid YAML (line 1, column 12: an alias refers to"),
        ("\tbad: indent\n", "it is not valid YAML"),
        ("title: x\n".encode("utf-16"), "it is not valid YAML (line 1, column 1: it is not UTF-8"),
    ],
)
def test_bad_metadata_is_skipped_and_the_brief_kept(seeds_dir, metadata, reason):
    (seeds_dir / "good.txt").write_text(GOOD, encoding="utf-8")
    content = metadata if isinstance(metadata, bytes) else metadata.encode()
    (seeds_dir / "good.yaml").write_bytes(content)
    index = build_index(seeds_dir, IndexSettings())
    assert [s.file for s in index.skipped] == ["good.yaml"]
    assert index.skipped[0].reason.startswith(reason)
    assert index.skipped[0].reason.endswith("; indexed the brief without it")
    assert index.briefs["good"].title == "Good brief"
