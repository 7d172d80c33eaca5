"""The CLI over an index found damaged only when a passage is read (a large, mapped
index is checked passage by passage): the damage is named on stderr, the index rebuilt
from the seeds, and the question answered with the brief's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.index.test_integrity import edit_text

BORDER = "How long is the border between North Korea and China?"


def test_a_passage_damaged_on_disk_is_rebuilt_not_quoted(capsys, config_file, monkeypatch):
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)  # map it: checks at read
    with config_file.open("a") as f:
        f.write("index:\n  engine: numpy\n")
    assert main(["--config", str(config_file), "index"]) == 0
    path = Path(config_file.parent, "data", "index.json")
    # Format 5 keeps passage text in zlib blocks: the edit recompresses its block.
    path.write_bytes(edit_text(path.read_bytes(), b"1,350", b"9,350"))
    capsys.readouterr()
    assert main(["--config", str(config_file), "ask", BORDER]) == 0
    out, err = capsys.readouterr()
    assert "1,350" in out and "9,350" not in out
    assert "could not be used: it is damaged (passage" in err and "checksum" in err
    assert "Traceback" not in err
    with pytest.raises(AssertionError):  # rebuilt on disk too: no block holds 9,350
        edit_text(path.read_bytes(), b"9,350", b"1,350")
