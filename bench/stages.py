"""Benchmark: where a whole search's time goes, stage by stage, on the synthetic corpus.

    python bench/stages.py                      # 100k passages, built in a temp folder
    python bench/stages.py --index FILE         # an index bench/peers.py or build made

Each stage is a method or function of the search wrapped in a timer, so the table shows
inclusive time (a stage's own and that of the stages it calls) a search, and its share of
`Searcher.search`. A wrapped call costs about 0.3 us more: the calls column says how much
to take off. A profiler that samples (py-spy) agrees on the shares; cProfile, which times
every call, inflates the Python stages against the compiled ones.

The search's modules are compiled by mypyc where the install could (setup.py), and a
compiled call cannot be wrapped: the stages are timed in a child process that runs those
modules from their Python source (bench/interpreted.py). The shares are the Python
search's; `py-spy record --native` samples the compiled one.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import Synthetic

# Questions a batch: wrapped and unwrapped batches alternate.
BATCH = 50


def stages() -> list[tuple[str, Any, str]]:
    """(label, owner, attribute) of every stage timed, in the order the table lists them
    (imported here: the index package is loaded only when the bench runs)."""
    import index.library as library
    import index.mapped_engine as engine
    import index.mapped_tables as tables
    import index.search as search
    import index.words as words

    return [
        ("the whole search", search.Searcher, "search"),
        ("reading the question", search, "read_question"),
        ("ranking by words", words.WordRanker, "rank"),
        ("  concepts (aliases, typos)", words.WordRanker, "concepts"),
        ("  concept weights", words.WordRanker, "_weight"),
        ("  the kernel's top candidates", engine.GuardedEngine, "top"),
        ("  scoring the candidates", words.WordRanker, "score"),
        ("    the engine's lookups", engine.GuardedEngine, "columns"),
        ("    coverage", words.WordRanker, "_coverages"),
        ("  the phrase check", words.WordRanker, "_phrase_share"),
        ("reading passages (for phrases, then hits)", tables.PassageTable, "many"),
        ("the part asked for", search, "asked_part"),
        ("the facts asked for", search.Searcher, "_facts"),
        ("the order", search.Searcher, "_order"),
        ("the hits", search.Searcher, "_hits"),
        ("  citations", library.Library, "citation"),
        ("  best sentences", search.Searcher, "_sentence"),
        ("  words matched", words.WordRanker, "matched"),
    ]


def timed(
    owner: type | ModuleType, name: str, label: str, spent: dict, calls: dict
) -> Callable[[], None]:
    """Wrap owner.name in a timer adding to spent[label]; returns what undoes it."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started
            calls[label] += 1

    setattr(owner, name, wrapper)
    return lambda: setattr(owner, name, original)


def measure(path: Path, queries: int, warm: int) -> tuple[list[tuple[str, float, float]], float]:
    """(label, us a search, calls a search) for every stage, over `queries` distinct bench
    questions, and the p50 of as many others timed without the wrappers, measured in a
    child process running the search's modules from source (see the module's docstring)."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(path), str(queries), str(warm)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the stages' process failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return [tuple(row) for row in report["rows"]], report["p50_ms"]


def worker(path: Path, queries: int, warm: int) -> None:
    """measure's child: the index modules from source, the stages timed, the wrappers
    checked gone (a search after it runs unwrapped), the result printed as JSON."""
    from bench.interpreted import use_source

    use_source()
    before = [getattr(owner, name) for _, owner, name in stages()]
    rows, p50_ms = measure_here(path, queries, warm)
    if [getattr(owner, name) for _, owner, name in stages()] != before:
        raise RuntimeError("a stage's timer was left in place")
    print(json.dumps({"rows": rows, "p50_ms": p50_ms}))


def measure_here(
    path: Path, queries: int, warm: int
) -> tuple[list[tuple[str, float, float]], float]:
    """measure's work, in this process: batches of 50 questions wrapped and 50 not in
    turn, so both see the caches and the machine alike."""
    from bench.peers import open_briefbot_search

    ask = open_briefbot_search(path)
    questions = Synthetic().queries(warm + 2 * queries)
    for q in questions[:warm]:
        ask(q)
    timed_stages = stages()
    spent: dict[str, float] = collections.defaultdict(float)
    calls: dict[str, int] = collections.defaultdict(int)
    plain: list[float] = []
    rest = questions[warm:]
    for b in range(0, queries, BATCH):
        n = min(BATCH, queries - b)
        undo = [timed(owner, name, label, spent, calls) for label, owner, name in timed_stages]
        try:
            for q in rest[2 * b : 2 * b + n]:
                ask(q)
        finally:
            for step in reversed(undo):
                step()
        for q in rest[2 * b + n : 2 * b + 2 * n]:
            started = time.perf_counter()
            ask(q)
            plain.append(time.perf_counter() - started)
    rows = [
        (label, spent[label] / queries * 1e6, calls[label] / queries)
        for label, _, _ in timed_stages
    ]
    return rows, statistics.median(plain) * 1e3


def table(rows: list[tuple[str, float, float]], p50_ms: float, passages: str) -> str:
    """The Markdown table of one run."""
    whole = rows[0][1] or 1.0
    lines = [
        f"Whole search stages, {passages} (words only, 10 hits); the search alone, "
        f"unwrapped: p50 {p50_ms:.3f} ms.",
        "",
        "| stage | us a search | share | calls a search |",
        "|---|---:|---:|---:|",
    ]
    for label, us, calls in rows:
        shown = label.replace("  ", "&nbsp;&nbsp;")
        lines.append(f"| {shown} | {us:.1f} | {100 * us / whole:.0f}% | {calls:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build (or take) an index, time the stages, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--index", type=Path, help="an index file to use instead of building")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(Path(args.worker[0]), int(args.worker[1]), int(args.worker[2]))
        return 0
    if args.index:
        if not args.index.is_file():
            print(f"stages: no index file at {args.index}", file=sys.stderr)
            return 2
        rows, p50 = measure(args.index, args.queries, args.warm)
        print(table(rows, p50, str(args.index)))
        return 0
    from bench.peers import build_briefbot

    with tempfile.TemporaryDirectory(prefix="briefbot-stages-") as name:
        out = Path(name) / "index"
        print(f"stages: building {args.passages:,} synthetic passages ...", file=sys.stderr)
        build_briefbot(list(Synthetic().passages(args.passages)), out)
        rows, p50 = measure(out, args.queries, args.warm)
    print(table(rows, p50, f"{args.passages:,} synthetic passages"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
