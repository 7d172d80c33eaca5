"""The compiled parts of the numpy engine, each the same results as its numpy path:
index/_maxscore.c ranks (top k of a query) and looks candidates up in postings (a term's,
a title term's briefs), index/_postings.c builds (postings from tokens) and
index/_encode.c looks up the words of a text being indexed; index/_pairs.c finds a
passage's word pairs worth stemming (the same pairs as index/tokenize.py's) and
index/_concepts.c scores a question's candidates by concept and coverage (as
index/words.py does); index/_reads.c reads a mapped file's passages and brief records,
each checked (as index/mapped_tables.py does), index/_lookups.c finds a term or brief
among the file's sorted keys, and index/_rounding.c rounds what a search shows (as
Python's round, without printing it).

Optional: where they cannot be compiled (no C compiler), the install goes on and the
engine uses numpy alone, more slowly.

The search's own Python modules (SEARCH_MODULES) are compiled too, by mypyc, from the
same typed source: a search's Python steps (reading the question, scoring, citing)
run as C calls, not bytecode. Optional in the same way: without mypyc or a compiler the
modules run as Python, with the same answers.
"""

import sys

from setuptools import Extension, setup

# No fused multiply-add: the kernels must add exactly as numpy does (same scores, bit for bit).
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]


def kernel(name: str) -> Extension:
    return Extension(f"index.{name}", [f"index/{name}.c"], optional=True, extra_compile_args=FLAGS)


KERNELS = (
    "_maxscore",
    "_postings",
    "_encode",
    "_pairs",
    "_concepts",
    "_reads",
    "_lookups",
    "_rounding",
)

# The modules a search runs through, compiled by mypyc (tests/index/test_compiled_modules.py
# reads this list; bench/interpreted.py loads them from source where they must be Python).
SEARCH_MODULES = (
    "about",
    "cite",
    "engine_numpy",
    "mapped_contexts",
    "mapped_engine",
    "parts",
    "query",
    "question",
    "rounding",
    "search",
    "sentences",
    "tokenize",
    "words",
)
# mypyc type-checks what it compiles. pip's build environment holds mypy and numpy (the
# modules' own types name numpy's; pyproject.toml's build requirements), not the other
# libraries: their types are Any (the compiled code calls them as Python does). The
# project's strict settings are CI's business (mypy), not the build's.
MYPYC_OPTIONS = ["--config-file", "", "--ignore-missing-imports", "--follow-imports", "silent"]


def search_modules() -> list[Extension]:
    """SEARCH_MODULES compiled by mypyc into one shared library, or none where mypyc is
    missing or refuses them (the modules then run as Python)."""
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    paths = [f"index/{name}.py" for name in SEARCH_MODULES]
    try:
        extensions = mypycify([*MYPYC_OPTIONS, *paths], group_name="index._search")
    except (Exception, SystemExit) as exc:  # mypy's errors exit
        print(f"warning: the search's modules stay Python (mypyc: {exc})", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=[kernel(name) for name in KERNELS] + search_modules())
