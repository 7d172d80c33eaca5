"""Benchmark: the instructions a whole search takes, counted by valgrind's callgrind.

    python bench/instructions.py --index FILE                 # whole searches, words only
    python bench/instructions.py --index FILE --mode rank     # the engine's top 10 alone
    python bench/instructions.py --index FILE --tree ../other # another checkout's code

Wall time on this kind of machine moves by 5% between runs, more than most single changes
to a search save; a count of instructions holds still to about 0.2%. The same process runs
twice under callgrind: after one question to warm it, it answers the bench's first FEW
questions, then its first MANY; (count(MANY) - count(FEW)) / (MANY - FEW) cancels the
imports, the load and the warm-up. OpenBLAS keeps one thread (its idle thread spins, and
callgrind would count that) and the hash seed is fixed.

Instructions are not time: a cache miss costs none, and a search at 10^5 waits on memory
for much of its time. Compare trees on one file, and give a wall-clock A/B beside it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What each process runs (argv: tree, index file, mode, number of questions): one warm-up
# question the same for both counts, then the bench's first questions.
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from bench.corpus import Synthetic
from bench.peers import open_briefbot, open_briefbot_search
answer = (open_briefbot if sys.argv[3] == "rank" else open_briefbot_search)(Path(sys.argv[2]))
answer("the same warm-up question for every count")
for question in Synthetic().queries(int(sys.argv[4])):
    answer(question)
"""

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def collected(report: str) -> int:
    """The instruction count in callgrind's report (its stderr); ValueError without one."""
    found = _COLLECTED.findall(report)
    if not found:
        raise ValueError("callgrind gave no count of instructions")
    return int(found[-1])


def count(tree: Path, index: Path, mode: str, questions: int) -> int:
    """Instructions of one process answering `questions` bench questions (after one)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={Path(out) / 'callgrind.out'}",
                sys.executable,
                "-c",
                CHILD,
                str(tree),
                str(index),
                mode,
                str(questions),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
    if done.returncode:
        raise RuntimeError(f"the counted process failed:\n{done.stderr[-2000:]}")
    return collected(done.stderr)


def per_search(tree: Path, index: Path, mode: str, few: int, many: int) -> float:
    """Instructions a search: the difference of two counts over their questions'."""
    return (count(tree, index, mode, many) - count(tree, index, mode, few)) / (many - few)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index file")
    parser.add_argument("--mode", choices=("search", "rank"), default="search")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to count")
    parser.add_argument("--few", type=int, default=100, help="questions of the first count")
    parser.add_argument("--many", type=int, default=400, help="questions of the second")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt install valgrind (it counts the instructions)")
        return 2
    if not args.index.is_file():
        print(f"no index file at {args.index}: build one with bench/peers.py")
        return 2
    if not 0 <= args.few < args.many:
        print("--few must be at least 0 and below --many")
        return 2
    what = {"search": "whole searches", "rank": "top-10 rankings"}[args.mode]
    print(f"Counting {args.few}, then {args.many} {what} of {args.index} ({args.tree})...")
    each = per_search(args.tree.resolve(), args.index.resolve(), args.mode, args.few, args.many)
    print(f"{each:,.0f} instructions each of the {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
