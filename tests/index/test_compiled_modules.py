"""The search's modules compiled by mypyc (setup.py SEARCH_MODULES): built from the source
beside them, and answering as that source does when it runs as Python."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.interpreted import compiled

ROOT = Path(__file__).resolve().parents[2]


def search_modules() -> list[str]:
    """setup.py's SEARCH_MODULES, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SEARCH_MODULES" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py names no SEARCH_MODULES")


def compiled_here() -> list[str]:
    """The SEARCH_MODULES this checkout loads compiled (none where mypyc could not build)."""
    names = []
    for name in search_modules():
        if compiled(importlib.import_module(f"index.{name}")):
            names.append(name)
    return names


def test_every_module_named_exists_as_source():
    assert search_modules()
    for name in search_modules():
        assert (ROOT / "index" / f"{name}.py").is_file(), name


def test_the_compiled_modules_are_built_from_the_source_beside_them():
    # A module edited after the build would otherwise run as it was, not as it reads.
    names = compiled_here()
    if not names:
        pytest.skip("the search's modules were not compiled (no mypyc or C compiler)")
    shared = sorted((ROOT / "index").glob("_search__mypyc.*"))
    assert shared, "compiled modules without their shared library"
    built = max(p.stat().st_mtime for p in shared)
    stale = [n for n in names if (ROOT / "index" / f"{n}.py").stat().st_mtime > built]
    assert not stale, (
        f"index/{stale[0]}.py changed after it was compiled: rebuild with "
        "`python setup.py build_ext --inplace` (or `pip install -e .` again)"
    )


# A few searches of the seed, answered by the modules as this process loads them and by
# their source in a child process (bench/interpreted.py): the hits and verdicts in full.
ANSWERS = """
import json, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "source":
    from bench.interpreted import use_source
    use_source()
from index import IndexSettings, Searcher, build_index
searcher = Searcher(build_index(__import__("pathlib").Path(sys.argv[1]) / "seeds", IndexSettings()))
questions = json.loads(sys.argv[3])
print(json.dumps([repr(searcher.search(q, 5)) for q in questions]))
"""

QUESTIONS = [
    "How long is the border with China?",
    "Who delivered a letter from Putin?",
    "santions on north korea",
    "the main argument",
    "who wrote this?",
    "How many nuclear warheads does North Korea have?",
]


def answers(mode: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", ANSWERS, str(ROOT), mode, json.dumps(QUESTIONS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout))


def test_compiled_and_source_modules_answer_alike():
    if not compiled_here():
        pytest.skip("the search's modules were not compiled (no mypyc or C compiler)")
    compiled = answers("as built")
    assert compiled == answers("source")
    assert all("hits=" in a for a in compiled)
