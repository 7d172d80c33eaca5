"""`briefbot quiz`: piped, the question and its answer; at a terminal, the answer waits for
a pick and says whether it was right, as the buttons do on Discord."""

from __future__ import annotations

import io
import re
import sys

import pytest

from bot.cli import main


class Terminal(io.StringIO):
    """Keys typed at a terminal."""

    def isatty(self) -> bool:
        return True


def quiz(capsys, config_file, monkeypatch, typed: str | None) -> tuple[int, str]:
    if typed is not None:
        monkeypatch.setattr(sys, "stdin", Terminal(typed))
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code = main(["--config", str(config_file), "quiz", "--seed", "3"])
    return code, capsys.readouterr().out


@pytest.fixture
def piped(capsys, config_file, monkeypatch):
    """The piped quiz's output, and its answer's letter and word."""
    code, out = quiz(capsys, config_file, monkeypatch, None)
    assert code == 0
    found = re.search(r"Answer: \(([a-d])\) (.+) \u2014 ", out)
    assert found, out
    return out, found[1], found[2]


def test_piped_prints_the_question_then_the_answer(piped):
    out, letter, word = piped
    assert "_____" in out and f"({letter}) {word}" in out
    assert out.index("_____") < out.index("Answer:")
    assert "Can North Korea play off Russia against China?" in out  # the citation


def test_at_a_terminal_a_right_pick_is_said_right(capsys, config_file, monkeypatch, piped):
    _, letter, word = piped
    code, out = quiz(capsys, config_file, monkeypatch, f"{letter.upper()}\n")
    assert code == 0
    assert out.index("Your answer (a-d") < out.index(f"Right: the answer is ({letter}) {word}.")
    assert "Answer:" not in out


def test_at_a_terminal_a_wrong_pick_names_both(capsys, config_file, monkeypatch, piped):
    _, letter, word = piped
    wrong = next(c for c in "abcd" if c != letter)
    code, out = quiz(capsys, config_file, monkeypatch, f"({wrong})\n")
    assert code == 0
    assert f"Not quite: you picked ({wrong}) " in out
    assert f"the answer is ({letter}) {word}." in out


@pytest.mark.parametrize("typed", ["", "\n", "x\n"], ids=["Ctrl-D", "Enter", "not a letter"])
def test_at_a_terminal_no_pick_shows_the_answer(capsys, config_file, monkeypatch, piped, typed):
    _, letter, word = piped
    code, out = quiz(capsys, config_file, monkeypatch, typed)
    assert code == 0 and f"Answer: ({letter}) {word}" in out
