"""`briefbot add`, `remove`, `audit` and `--library` on the command line."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.conftest import MODEL_CACHE, SEED_TEXT

MARKDOWN = """# Samoa's *fishing* rules

Samoa bans night spearfishing on its reefs from **March** to June.

Fishers who break the ban lose their licence for a year.
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_libraries(tmp_path, seeds_dir):
    """A config with the default library and one named `reef` with no brief yet."""
    path = tmp_path / "config.yaml"
    path.write_text(
        f"seeds_dir: seeds\ndata_dir: data\nmeaning:\n  cache_dir: {MODEL_CACHE}\n"
        "libraries:\n  reef:\n    guild_ids: [1]\n    seeds_dir: reef\n    data_dir: reef-data\n",
        encoding="utf-8",
    )
    return path


def test_add_ask_remove_and_audit(capsys, tmp_path, two_libraries, seeds_dir):
    brief = tmp_path / "samoa.md"
    brief.write_text(MARKDOWN, encoding="utf-8")
    config = str(two_libraries)
    code, out, err = run(capsys, "--config", config, "add", str(brief))
    assert code == 0, err
    assert out.startswith('Added "Samoa\'s fishing rules" (2 paragraphs) as samoa-s-fishing-rules')
    assert (seeds_dir / "samoa-s-fishing-rules.md").read_text(encoding="utf-8") == MARKDOWN
    code, out, _ = run(capsys, "--config", config, "ask", "When is night spearfishing banned?")
    assert "Samoa's fishing rules, ¶1" in out and "from March to June" in out

    code, _, err = run(capsys, "--config", config, "add", str(brief))
    assert code == 1 and "The same text is already in the library" in err
    changed = tmp_path / "samoa2.md"
    changed.write_text(MARKDOWN.replace("June", "July"), encoding="utf-8")
    code, _, err = run(capsys, "--config", config, "add", str(changed))
    assert code == 1 and "--replace" in err and "--keep-both" in err
    code, out, _ = run(capsys, "--config", config, "add", str(changed), "--replace")
    assert code == 0 and out.startswith('Replaced "Samoa')

    code, _, err = run(capsys, "--config", config, "remove", "Samoa's fishing rule")
    assert code == 1 and 'no brief named "Samoa\'s fishing rule"' in err
    assert "briefbot sources" in err and "/brief" not in err  # a command it can run
    code, _, err = run(capsys, "--config", config, "remove", "Samoa's fishing rules")
    assert code == 1 and "--yes" in err  # stdin is not a terminal: no silent removal
    assert (seeds_dir / "samoa-s-fishing-rules.md").is_file()
    code, out, _ = run(capsys, "--config", config, "remove", "Samoa's fishing rules", "--yes")
    assert code == 0 and not (seeds_dir / "samoa-s-fishing-rules.md").exists()

    code, out, _ = run(capsys, "--config", config, "audit", "--json")
    actions = [(e["action"], e["result"].split(":")[0]) for e in map(json.loads, out.splitlines())]
    assert actions == [("add", "ok"), ("add", "refused"), ("replace", "ok"), ("remove", "ok")]


def test_library_option_works_on_another_library(capsys, tmp_path, two_libraries):
    brief = tmp_path / "samoa.md"
    brief.write_text(MARKDOWN, encoding="utf-8")
    config = str(two_libraries)
    code, out, err = run(capsys, "--config", config, "--library", "reef", "add", str(brief))
    assert code == 0, err
    assert (tmp_path / "reef" / "samoa-s-fishing-rules.md").is_file()
    code, out, _ = run(capsys, "--config", config, "--library", "reef", "sources")
    assert "Samoa's fishing rules" in out and "North Korea" not in out
    code, out, _ = run(capsys, "--config", config, "sources")
    assert "Samoa" not in out
    code, _, err = run(capsys, "--config", config, "--library", "nope", "sources")
    assert code == 1 and "no library named nope" in err and "reef" in err


def test_a_duplicate_of_the_seed_is_refused(capsys, two_libraries):
    code, _, err = run(capsys, "--config", str(two_libraries), "add", str(SEED_TEXT))
    assert code == 1 and "already in the library" in err
