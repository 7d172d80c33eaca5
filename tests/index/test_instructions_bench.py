"""bench/instructions.py counts a search's instructions under callgrind: its arithmetic,
its reading of callgrind's report and its refusals, run through a stand-in valgrind that
runs the counted process for real and reports a count growing with its questions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bench import instructions
from bench.corpus import Synthetic
from bench.peers import build_briefbot

# Runs the command after valgrind's options, as callgrind would, and reports 1,000
# instructions plus 250 a question; refuses to count with OpenBLAS on more threads.
FAKE_VALGRIND = """#!/bin/sh
while [ "${1#--}" != "$1" ]; do shift; done
[ "$OPENBLAS_NUM_THREADS" = 1 ] && [ "$PYTHONHASHSEED" = 0 ] || exit 3
"$@" || exit $?
eval last=\\${$#}
echo "==42== Collected : $((1000 + 250 * last))" >&2
"""


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("counted") / "index"
    build_briefbot(list(Synthetic().passages(300)), out)
    return out


@pytest.fixture
def fake_valgrind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "bin" / "valgrind"
    tool.parent.mkdir()
    tool.write_text(FAKE_VALGRIND)
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tool.parent}:{Path('/usr/bin')}:{Path('/bin')}")


def test_a_search_is_the_difference_of_two_counts(small_index, fake_valgrind, capsys) -> None:
    args = ["--index", str(small_index), "--few", "2", "--many", "6"]
    assert instructions.main(args) == 0
    assert "250 instructions each of the whole searches" in capsys.readouterr().out
    assert instructions.main([*args, "--mode", "rank"]) == 0
    assert "250 instructions each of the top-10 rankings" in capsys.readouterr().out


def test_a_failed_process_is_reported(tmp_path, fake_valgrind) -> None:
    with pytest.raises(RuntimeError, match="the counted process failed"):
        instructions.count(instructions.ROOT, tmp_path / "missing", "search", 1)


def test_callgrinds_report_is_read_and_its_absence_refused() -> None:
    report = "==7== Events    : Ir\n==7== Collected : 2463581230\n==7==\n==7== I   refs: 2,4\n"
    assert instructions.collected(report) == 2463581230
    with pytest.raises(ValueError, match="no count"):
        instructions.collected("==7== Events    : Ir\n")


def test_what_cannot_be_counted_is_refused(small_index, tmp_path, monkeypatch, capsys) -> None:
    assert instructions.main(["--index", str(tmp_path / "none")]) == 2
    assert "no index file" in capsys.readouterr().out
    assert instructions.main(["--index", str(small_index), "--few", "5", "--many", "5"]) == 2
    assert "--few" in capsys.readouterr().out
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    assert instructions.main(["--index", str(small_index)]) == 2
    assert "valgrind is not installed" in capsys.readouterr().out
