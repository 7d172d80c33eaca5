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

setup(ext_modules=[kernel(name) for name in KERNELS])
