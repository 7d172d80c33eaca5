"""Terminal output of the CLI (issue 12 items 10 and 18): no escape sequence from a brief
reaches the terminal, --json escapes what a terminal would act on, lines fit the width."""

from __future__ import annotations

import json

from bot.cli import main
from bot.console import to_json

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\hidden\x1b]8;;\x1b\\"


def test_sources_and_index_print_no_escape_sequences(capsys, config_file):
    seeds = config_file.parent / "seeds"
    (seeds / "evil\x1b[2J\u202ename.txt").write_text(
        f"# Title {ESCAPES}\n\nOne paragraph about the border {ESCAPES} and more.\n\n"
        "Another paragraph about China.\n",
        encoding="utf-8",
    )
    for command in ("index", "sources"):
        assert main(["--config", str(config_file), command]) in (0, 1)
        out, err = capsys.readouterr()
        for stream in (out, err):
            assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert main(["--config", str(config_file), "ask", "border paragraph"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out and "\x07" not in out


def test_json_escapes_c1_and_bidi_but_keeps_text_readable():
    text = to_json({"t": "caf\u00e9 \u201cq\u201d \x9b2J \u202eevil \u2028 \x1b"})
    assert "\x9b" not in text and "\u202e" not in text and "\u2028" not in text
    assert "\x1b" not in text and "caf\u00e9 \u201cq\u201d" in text
    assert json.loads(text) == {"t": "caf\u00e9 \u201cq\u201d \x9b2J \u202eevil \u2028 \x1b"}


def test_every_line_fits_a_narrow_terminal(capsys, config_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    for argv in (["sources"], ["ask", "What does the brief say about Mongolia's railways?"]):
        assert main(["--config", str(config_file), *argv]) == 0
        out, _ = capsys.readouterr()
        assert out and all(len(line) <= 60 for line in out.splitlines()), out


def test_no_bold_when_not_a_terminal(capsys, config_file):
    assert main(["--config", str(config_file), "ask", "How long is the border?"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b[1m" not in out


def _safe(stream: str) -> bool:
    return not any(c in stream for c in ("\x1b", "\x07", "\x9b", "\x9d", "\u202e"))


def test_study_and_library_commands_print_no_escape_sequences(capsys, config_file, tmp_path):
    """What the study tools and the library commands print comes from briefs (titles,
    passages, a fetched page's first paragraph), from Discord (questions, moderators'
    names) and from the audit log: none of it may act on the terminal."""
    from bot.feedback import FeedbackStore

    evil = f"\u202e{ESCAPES}\x9b2J"
    brief = tmp_path / "reef.md"
    brief.write_text(
        f"# Reef rules {evil}\n\nNight spearfishing on the reef {evil} is banned from March "
        "to June in Samoa.\n\nFishers who break the reef ban lose their licence.\n",
        encoding="utf-8",
    )
    config = ["--config", str(config_file)]
    data = config_file.parent / "data"
    data.mkdir(exist_ok=True)
    with FeedbackStore(data / "feedback.sqlite3") as store:
        store.record_question(7, f"who is {evil} kim?", "not_covered")
    runs = [
        ["add", str(brief)],
        ["check", "spearfishing on the reef is banned"],
        ["ask", "--cite", "all", "--explain", "spearfishing reef banned"],
        ["quiz", "--brief", "reef-rules"],
        ["gaps"],
        ["index"],
        ["remove", "reef-rules", "--yes"],
        ["audit"],
        ["audit", "--json"],
    ]
    for argv in runs:
        code = main([*config, *argv])
        out, err = capsys.readouterr()
        assert code in (0, 1), (argv, err)
        assert out or err, argv
        assert _safe(out) and _safe(err), (argv, out, err)
