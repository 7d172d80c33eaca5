"""The README's quick start is what a new user runs: two commands that work on a system
Python refusing global installs, and the test command is the one CI runs, verbatim, last."""

from __future__ import annotations

import re

from tests.conftest import REPO

VENV = "python3 -m venv .venv && . .venv/bin/activate && pip install -e "


def _quick_start() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def test_quick_start_is_two_commands_in_a_venv_and_names_the_python():
    section = _quick_start()
    commands = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert len(commands) == 2
    ask, test = commands
    assert ask.startswith(VENV + ". && briefbot ask ")
    assert test == VENV + "'.[test]' && python -m pytest"
    assert "Python 3.11 or newer" in section


def test_ci_runs_the_readme_test_command_verbatim_and_last():
    test = re.findall(r"```sh\n(.*?)\n```", _quick_start(), re.S)[1]
    steps = [
        line
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert steps[-1] == test
