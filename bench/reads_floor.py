"""Benchmark: what a whole search would take if its reads of the file cost nothing.

    python bench/reads_floor.py --index FILE          # a file bench/peers.py or build made
    python bench/reads_floor.py --index FILE --runs 5

A bound, not a design: each run is a fresh process answering the bench's first questions
once (as bench/peers.py times the whole search), with, before it starts,
- "as built": nothing read ahead;
- "passages read": every passage read and kept;
- "reads free": that, and what each citation takes of its brief read ahead, for every
  brief (the search's citations then read nothing of the file).
What "reads free" saves is the most any cheaper passage read or brief row could save;
what it leaves is the ranking and the answer's Python. The modes alternate run by run, so
each sees the machine alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from index.library import Library

MODES = ("as built", "passages read", "reads free")


def run(path: Path, mode: str, queries: int) -> float:
    """The p50 in ms of `queries` whole searches in a fresh process, reads ahead as `mode`."""
    out = subprocess.run(
        [sys.executable, __file__, "--index", str(path), "--one", mode, "--queries", str(queries)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.split()[-1])


def one(path: Path, mode: str, queries: int) -> float:
    """One fresh process's p50 (ms), read ahead as `mode`."""
    import gc
    import time
    from dataclasses import replace

    import index.mapped_tables as tables
    from bench.corpus import Synthetic
    from index import IndexSettings, Searcher, load_index

    unbounded(tables, mode)
    # As bench/peers.py's open_briefbot_search: words only, the 10 best hits.
    searcher = Searcher(load_index(path, replace(IndexSettings(), engine="numpy")))
    read_ahead(searcher.library, mode)
    gc.collect()
    spent = []
    for q in Synthetic().queries(queries):
        started = time.perf_counter()
        searcher.search(q, 10)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1e3


def unbounded(tables: ModuleType, mode: str) -> None:
    """Lift the limit of the passages index/mapped_tables.py keeps (before a file is
    opened), so that what `mode` reads ahead stays kept."""
    if not hasattr(tables, "_CACHED_PASSAGES"):
        raise SystemExit("reads_floor: index/mapped_tables.py has no _CACHED_PASSAGES any more")
    if mode != "as built":
        tables._CACHED_PASSAGES = 1 << 30


def read_ahead(library: Library, mode: str) -> None:
    """Read (and so keep) every passage, and for "reads free" what each citation takes of
    every brief, answered from memory from then on."""
    from index.mapped_tables import PassageTable

    passages = library.passages
    if not isinstance(passages, PassageTable) or library.cited is None:
        raise SystemExit("reads_floor: a mapped (numpy) index file is needed")
    if mode == "as built":
        return
    for i in range(len(passages)):
        passages[i]
    if mode == "reads free":
        cited = {brief: library.cited(brief) for brief in library.briefs}
        object.__setattr__(library, "cited", cited.__getitem__)  # a frozen Library: a bound


def main(argv: list[str] | None = None) -> int:
    """Run the modes in turn, print each one's p50s and its ratio to "as built"."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.index.is_file():
        print(f"reads_floor: no index file at {args.index}", file=sys.stderr)
        return 2
    if args.one:
        print(f"{one(args.index, args.one, args.queries):.4f}")
        return 0
    p50s: dict[str, list[float]] = {mode: [] for mode in MODES}
    for r in range(args.runs):
        for mode in MODES:
            p50s[mode].append(run(args.index, mode, args.queries))
        print(f"reads_floor: run {r + 1} of {args.runs} done", file=sys.stderr)
    base = statistics.median(p50s["as built"])
    print(f"Whole search p50, {args.queries:,} questions a fresh process, {args.index}:\n")
    print("| reads ahead | p50 ms, each run | median | ÷ as built |")
    print("|---|---|---:|---:|")
    for mode in MODES:
        runs = ", ".join(f"{p:.3f}" for p in p50s[mode])
        median = statistics.median(p50s[mode])
        print(f"| {mode} | {runs} | {median:.3f} | {median / base:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
