"""Benchmark: what a whole search would take if its reads of the file cost nothing.

    python bench/reads_floor.py --index FILE          # a file bench/peers.py or build made
    python bench/reads_floor.py --index FILE --runs 5

A bound, not a design: each run is a fresh process answering the bench's first questions
once (as bench/peers.py times the whole search), with, before it starts,
- "as built": nothing read ahead;
- "briefs read": every brief record parsed and kept;
- "reads free": every passage and every brief record read and kept.
What "reads free" saves is the most any cheaper passage read or brief record could save
(a format change, a compiled Passage); what it leaves is the ranking and the answer's
Python. The modes alternate run by run, so each sees the machine alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = ("as built", "briefs read", "reads free")


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
    read_ahead(searcher.library.passages, mode)
    gc.collect()
    spent = []
    for q in Synthetic().queries(queries):
        started = time.perf_counter()
        searcher.search(q, 10)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent) * 1e3


def unbounded(tables: ModuleType, mode: str) -> None:
    """Lift the limits of what index/mapped_tables.py keeps (before a file is opened), so
    that what `mode` reads ahead stays kept."""
    for name, lifted in (
        ("_CACHED_BRIEFS", mode != "as built"),
        ("_CACHED_PASSAGES", mode == "reads free"),
    ):
        if not hasattr(tables, name):
            raise SystemExit(f"reads_floor: index/mapped_tables.py has no {name} any more")
        if lifted:
            setattr(tables, name, 1 << 30)


def read_ahead(passages: object, mode: str) -> None:
    """Read (and so keep) every brief record, and for "reads free" every passage too."""
    from index.mapped_tables import PassageTable

    if not isinstance(passages, PassageTable):
        raise SystemExit("reads_floor: a mapped (numpy) index file is needed")
    if mode != "as built":
        for number in range(len(passages.briefs)):
            passages.briefs.id_at(number)
    if mode == "reads free":
        for i in range(len(passages)):
            passages[i]


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
