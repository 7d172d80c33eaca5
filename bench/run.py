"""Benchmark: our engines against plain rank-bm25, measured in one run, one table.

    python bench/run.py            # 1k, 10k, 100k, 1M passages + refresh + start-up
    python bench/run.py --quick    # 1k and 10k passages, a small refresh (CI, < 1 min)
    python bench/run.py --peers    # beside tantivy and bm25s (bench/peers.py), 100k

Every measurement that needs a clean process (build, load, memory) runs in a
child process with a time limit; the corpus is written once to a temporary
folder. Query times are Searcher.search end to end (tokenise, rank, coverage, best
sentence), top-10, one query at a time, after 10 warm-up queries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# A script, not a package: make `bench.corpus` and the checkout's `index` importable.
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import Synthetic, seed_briefs  # noqa: E402
from index import IndexSettings, Library, Searcher, SearchSettings, load_index, save_index  # noqa: E402
from index.draft import Draft  # noqa: E402
from index.engines import make_engine  # noqa: E402
from index.library import BriefInfo, PassageList  # noqa: E402
from index.mapped_backend import MappedBackend  # noqa: E402
from index.passages import Passage  # noqa: E402
from index.tokenize import tokenize  # noqa: E402

PER_BRIEF = 10  # synthetic passages per synthetic brief
SEED = REPO / "seeds" / "interpreter-can-north-korea-play-off-russia-against-china.txt"
QUESTION = "Why is China more important to North Korea than Russia?"
QUESTIONS = REPO / "tests" / "qa" / "seed.yaml"


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mib() -> float:
    """Peak resident memory of this process, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- work done in child processes -------------------------------------------------------


def synthetic_library(texts: list[str]) -> tuple[list[Passage], dict[str, BriefInfo]]:
    """Passages of the synthetic texts, PER_BRIEF to a brief, and those briefs (as read
    from files, minus the reading): what both benchmarks build from."""
    passages = [
        Passage(
            f"b{i // PER_BRIEF}:{i % PER_BRIEF + 1}",
            f"b{i // PER_BRIEF}",
            i % PER_BRIEF + 1,
            0,
            0,
            len(t),
            t,
        )
        for i, t in enumerate(texts)
    ]
    briefs = {
        f"b{b}": BriefInfo(f"b{b}", f"Brief {b}", "", None, None, None, None, f"b{b}.txt", 10)
        for b in range(-(-len(texts) // PER_BRIEF))
    }
    return passages, briefs


def assembled(
    passages: list[Passage], briefs: dict[str, BriefInfo], settings: IndexSettings
) -> Library:
    """The large-library index of these passages as build_index assembles it once the briefs
    are read: the mapped backend tokenises in workers, scores and compresses the text."""
    draft = Draft(settings, briefs, passages, [-1] * len(passages), {}, (), [], "bench")
    return MappedBackend().assemble(draft, None)


def work_build(corpus: Path, out: Path, engine: str) -> dict:
    """Tokenise and index the corpus file (one passage a line), then save the index."""
    texts = corpus.read_text(encoding="utf-8").splitlines()
    passages, briefs = synthetic_library(texts)
    del texts
    settings = replace(IndexSettings(), engine=engine)
    started = time.perf_counter()
    # As build_index does it, minus reading and parsing brief files.
    if engine == "numpy":
        index = assembled(passages, briefs, settings)
    else:
        tokens = [tokenize(p.text) for p in passages]
        index = Library(
            settings, briefs, PassageList(passages), tokens, make_engine(tokens, settings)
        )
    indexed = time.perf_counter() - started
    save_index(index, out)
    return {
        "build_s": time.perf_counter() - started,
        "index_s": indexed,
        "build_peak_mib": peak_mib(),
        "file_mib": out.stat().st_size / 2**20,
    }


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p99 of `times` (seconds), in milliseconds."""
    ordered = sorted(times)
    return 1000 * statistics.median(ordered), 1000 * ordered[int(0.99 * (len(ordered) - 1))]


def work_query(path: Path, queries: Path, engine: str, limit: int) -> dict:
    """Load the index, then time each query: ranking alone, and Searcher.search end to end."""
    base = rss_mib()
    started = time.perf_counter()
    index = Searcher(load_index(path, replace(IndexSettings(), engine=engine)))
    load_s = time.perf_counter() - started
    after_load = rss_mib()
    questions = json.loads(queries.read_text())[:limit]
    ranker = index.library.engine
    for q in questions[:10]:
        index.search(q, 10)
    rank, search, plain, answers = [], [], [], []
    for q in questions[10:]:
        t = time.perf_counter()
        hits = ranker.top(list(dict.fromkeys(tokenize(q))), 10)
        rank.append(time.perf_counter() - t)
        if len(answers) < 50:
            answers.append([i for i, _ in hits])
        t = time.perf_counter()
        index.search(q, 10)
        search.append(time.perf_counter() - t)
        model = getattr(ranker, "_model", None)
        if model is not None:
            # Plain rank-bm25, as its README uses it: score every passage, sort.
            t = time.perf_counter()
            scores = model.get_scores(list(dict.fromkeys(tokenize(q))))
            scores.argsort()[::-1][:10].tolist()
            plain.append(time.perf_counter() - t)
    return {
        "load_s": load_s,
        "rss_before_load_mib": base,
        "rss_after_load_mib": after_load,
        "rss_after_queries_mib": rss_mib(),
        "queries": len(rank),
        "rank_ms": percentiles(rank),
        "search_ms": percentiles(search),
        "plain_ms": percentiles(plain) if plain else None,
        "answers": answers,
    }


def work_refresh(seeds: Path, out: Path) -> dict:
    """Full build of a brief library, then the refresh after one brief changes."""
    from index.refresh import open_index, rebuild

    settings = IndexSettings()
    started = time.perf_counter()
    index = rebuild(seeds, out, settings)
    full = time.perf_counter() - started
    victim = sorted(seeds.glob("*.txt"))[len(index.briefs) // 2]
    victim.write_text(victim.read_text() + "\n\nA new closing paragraph about sanctions.\n")
    started = time.perf_counter()
    opened = open_index(seeds, out, settings)
    refresh = time.perf_counter() - started
    return {
        "briefs": len(opened.index.briefs),
        "passages": len(opened.index.passages),
        "full_s": full,
        "refresh_s": refresh,
        "reason": opened.rebuilt_because,
    }


def work_meaning(seeds: Path, questions: Path) -> dict:
    """Searcher.search over a question set, words only against words and meaning fused
    (same library, same run), what loading the sentence encoder costs, and the build's
    rate with sentence vectors."""
    import tempfile

    from index.build import build_index
    from index.evaluation import load_cases
    from index.meaning import shared_encoder

    asked = [c.question for c in load_cases(questions)]
    encoder = shared_encoder(None, Path(tempfile.gettempdir()) / "briefbot-bench-model")
    before = rss_mib()
    started = time.perf_counter()
    encoder.usable()  # loads (and the first time converts) the weights
    load_s = time.perf_counter() - started
    model_mib = rss_mib() - before
    started = time.perf_counter()
    library = build_index(seeds, IndexSettings(), encoder=encoder)
    build_s = time.perf_counter() - started
    words_only = Searcher(library, SearchSettings())
    both = Searcher(library, SearchSettings(), encoder)
    consulted = sum(both.search(q, 10).verdict != "not_covered" for q in asked)

    def timed(index):
        times = []
        for _ in range(20):
            for q in asked:
                t = time.perf_counter()
                index.search(q, 10)
                times.append(time.perf_counter() - t)
        return times

    timed(both)  # sentence vectors cached, as in a running bot
    return {
        "questions": len(asked),
        "consulted": consulted,
        "load_s": load_s,
        "model_mib": model_mib,
        "build_s": build_s,
        "passages": len(library.passages),
        "words_ms": percentiles(timed(words_only)),
        "both_ms": percentiles(timed(both)),
    }


WORKERS = {
    "build": work_build,
    "query": work_query,
    "refresh": work_refresh,
    "meaning": work_meaning,
}


def child(task: str, timeout: float, **kwargs: object) -> dict:
    """Run one task in a fresh interpreter, within `timeout` seconds."""
    args = json.dumps({"task": task, **{k: str(v) for k, v in kwargs.items()}})
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return dict(json.loads(done.stdout))


# --- the run -------------------------------------------------------------------------------


def fmt(value: object, spec: str = ".2f") -> str:
    """A number for the table, or a dash."""
    return format(value, spec) if isinstance(value, int | float) else "-"


def bench_size(n: int, tmp: Path, rank_queries: int, timeout: float) -> list[dict]:
    """Build, load and query one synthetic corpus with each engine."""
    corpus = tmp / f"corpus-{n}.txt"
    synthetic = Synthetic()
    with corpus.open("w", encoding="utf-8") as f:
        for text in synthetic.passages(n):
            f.write(text + "\n")
    queries = tmp / f"queries-{n}.json"
    queries.write_text(json.dumps(synthetic.queries(1010)))
    rows = []
    for engine in ("numpy", "rank-bm25"):
        row: dict = {"corpus": f"synthetic {n:,}", "engine": engine, "passages": n}
        if engine == "rank-bm25" and rank_queries == 0:
            row["note"] = "skipped (≈ 9 GiB, minutes per batch of queries)"
            rows.append(row)
            continue
        path = tmp / f"index-{n}-{engine}"
        row.update(child("build", timeout, corpus=corpus, out=path, engine=engine))
        if "error" not in row:
            limit = 1010 if engine == "numpy" else rank_queries + 10
            row.update(
                child("query", timeout, path=path, queries=queries, engine=engine, limit=limit)
            )
        path.unlink(missing_ok=True)
        rows.append(row)
        print(f"  {row['corpus']} {engine}: done", file=sys.stderr)
    corpus.unlink()
    return rows


def agreement(ours: dict, theirs: dict) -> str:
    """Share of the first queries whose top-10 passage ids are identical."""
    a, b = ours.get("answers"), theirs.get("answers")
    if not a or not b:
        return "-"
    same = sum(x == y for x, y in zip(a, b, strict=False))
    return f"{same}/{min(len(a), len(b))}"


# `briefbot ask` start-up: the README's quick-start question, this bench's own, and one the
# brief does not cover (the "not covered" path), taken in turn.
STARTUP_QUESTIONS = (
    "How long is the border between China and North Korea?",
    QUESTION,
    "What is the capital of France?",
)
FLOOR = [sys.executable, "-c", "import rank_bm25, yaml"]


def _timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True, timeout=120)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def startup(tmp: Path, runs: int = 15) -> dict:
    """`briefbot ask` on the seed brief, end to end, with the sentence encoder and by words
    alone (`meaning.enabled: false`), against `python -c "import rank_bm25, yaml"`.

    The three commands run in turn, round after round (interleaved, so a machine that
    slows down slows all three); each ratio is the median over rounds of that round's
    ask / floor, in wall and in CPU seconds."""
    kinds = {"encoder": "", "words": "meaning:\n  enabled: false\n"}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("BRIEFBOT_CONFIG", None)
    # As after a normal install, the project's bytecode is compiled once (by the warm-up
    # runs below), not compiled again in every timed run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for kind, config in kinds.items():
        work = tmp / f"startup-{kind}"
        shutil.copytree(REPO / "seeds", work / "seeds")
        (work / "config.yaml").write_text(config, encoding="utf-8")
        # Builds the index (and converts the encoder's weights) once; then warm.
        for question in STARTUP_QUESTIONS:
            _timed([sys.executable, "-m", "bot", "ask", question], work, env)
    times: dict[str, list[tuple[float, float]]] = {"floor": [], **{k: [] for k in kinds}}
    for n in range(runs):
        question = STARTUP_QUESTIONS[n % len(STARTUP_QUESTIONS)]
        times["floor"].append(_timed(FLOOR, tmp, env))
        for kind in kinds:
            ask = [sys.executable, "-m", "bot", "ask", question]
            times[kind].append(_timed(ask, tmp / f"startup-{kind}", env))
    result: dict = {"runs": runs}
    for name, pairs in times.items():
        result[f"{name}_s"] = statistics.median(w for w, _ in pairs)
        result[f"{name}_cpu_s"] = statistics.median(c for _, c in pairs)
    for kind in kinds:
        for i, unit in ((0, ""), (1, "_cpu")):
            ratios = [a[i] / f[i] for a, f in zip(times[kind], times["floor"], strict=True)]
            result[f"{kind}{unit}_ratio"] = statistics.median(ratios)
            # "For any question": the question whose median ratio is highest.
            n = len(STARTUP_QUESTIONS)
            each = [statistics.median(ratios[q::n]) for q in range(n)]
            result[f"{kind}{unit}_worst_ratio"] = max(each)
    # The encoder's own cost: what asking with it adds to asking by words alone.
    result["encoder_cost_s"] = result["encoder_s"] - result["words_s"]
    result["encoder_cost_cpu_s"] = result["encoder_cpu_s"] - result["words_cpu_s"]
    return result


def startup_line(start: dict) -> str:
    """The start-up figures of `startup()` in one paragraph."""
    if "floor_s" not in start:
        return f"Start-up: {start.get('error', 'not measured')}"
    return (
        f"Start-up, seed brief, {start['runs']} interleaved rounds (medians; ratios are the "
        f'median of each round\'s ask / `python -c "import rank_bm25, yaml"`): floor '
        f"{start['floor_s']:.3f} s wall, {start['floor_cpu_s']:.3f} s CPU; `briefbot ask` "
        f"with the encoder {start['encoder_s']:.3f} s wall ({start['encoder_ratio']:.2f}x, "
        f"worst question {start['encoder_worst_ratio']:.2f}x; CPU "
        f"{start['encoder_cpu_ratio']:.2f}x, target ≤ 2x); by words alone "
        f"{start['words_s']:.3f} s ({start['words_ratio']:.2f}x, worst question "
        f"{start['words_worst_ratio']:.2f}x; CPU {start['words_cpu_ratio']:.2f}x, target "
        f"≤ 1.3x); the encoder's own cost "
        f"{start['encoder_cost_s'] * 1000:.0f} ms wall, "
        f"{start['encoder_cost_cpu_s'] * 1000:.0f} ms CPU."
    )


def _ms(pair: object) -> str:
    return f"{pair[0]:.3f} / {pair[1]:.2f}" if isinstance(pair, list | tuple) else "-"


def report(rows: list[dict], refresh: dict, start: dict, seconds: float) -> str:
    """The Markdown tables of one run."""
    lines = [
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}; run took {seconds:.0f} s. Times in ms are "
        "p50 / p99 over the queries; *rank* is tokenising the query and ranking the top 10, "
        "*search* is `Searcher.search(q, 10)` end to end (coverage, best sentence, citations).",
        "",
        "| corpus | engine | build s | file MiB | load s | RSS after load MiB "
        "| RSS after queries MiB | queries | rank ms | search ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "note" in r or "error" in r:
            lines.append(
                f"| {r['corpus']} | {r['engine']} | {r.get('note') or r['error']} | | | | | | | |"
            )
            continue
        lines.append(
            f"| {r['corpus']} | {r['engine']} | {fmt(r['build_s'], '.1f')} "
            f"| {fmt(r['file_mib'], '.1f')} | {fmt(r.get('load_s'), '.3f')} "
            f"| {fmt(r.get('rss_after_load_mib'), '.0f')} "
            f"| {fmt(r.get('rss_after_queries_mib'), '.0f')} | {r.get('queries', '-')} "
            f"| {_ms(r.get('rank_ms'))} | {_ms(r.get('search_ms'))} |"
        )
        if r.get("plain_ms"):
            lines.append(
                f"| {r['corpus']} | plain rank-bm25 `get_scores` + sort | (same index) "
                f"| | | | | {r['queries']} | {_ms(r['plain_ms'])} | |"
            )
    lines += [
        "",
        "| corpus | rank p50 speed-up vs plain rank-bm25 | vs our rank-bm25 engine "
        "| load time ratio | memory after load ratio | same top-10 (first 50 queries) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by = {(r["corpus"], r["engine"]): r for r in rows}
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        ours, base = by[(corpus, "numpy")], by.get((corpus, "rank-bm25"), {})
        if "rank_ms" not in ours or "rank_ms" not in base:
            continue
        p50 = ours["rank_ms"][0]
        lines.append(
            f"| {corpus} | {base['plain_ms'][0] / p50:.0f}x | {base['rank_ms'][0] / p50:.0f}x "
            f"| {ours['load_s'] / base['load_s']:.3f} "
            f"| {ours['rss_after_load_mib'] / base['rss_after_load_mib']:.1%} "
            f"| {agreement(ours, base)} |"
        )
    lines += [
        "",
        f"Refresh after one brief changed, library of {refresh.get('briefs', '?')} briefs "
        f"({refresh.get('passages', '?')} passages, seed brief perturbed): "
        f"full build {fmt(refresh.get('full_s'))} s, refresh {fmt(refresh.get('refresh_s'))} s "
        f"{refresh.get('error', '')}",
        "",
        startup_line(start),
    ]
    return "\n".join(lines)


def meaning_line(m: dict) -> str:
    """One line on what the sentence encoder costs a search, a load and a build."""
    if "error" in m:
        return f"Sentence encoder: {m['error']}"
    words, both = m["words_ms"], m["both_ms"]
    return (
        f"\nSentence encoder, seed question set ({m['questions']} questions x 20): "
        f"`Searcher.search` words and meaning fused p50 / p99 {_ms(both)} ms, words only "
        f"{_ms(words)} ms (same run): p50 ratio {both[0] / words[0]:.2f}x. Loading the "
        f"encoder: {m['load_s']:.2f} s, +{m['model_mib']:.0f} MiB. Building the seed "
        f"({m['passages']} passages) with sentence vectors: {m['build_s']:.2f} s."
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (CI)")
    parser.add_argument("--sizes", help="comma-separated passage counts (default: all)")
    parser.add_argument("--no-extras", action="store_true", help="skip refresh and start-up")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="instead: briefbot beside tantivy and bm25s (bench/peers.py; pip install -e "
        "'.[bench]'), at --sizes (default 100000), 1,000 queries each",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peers:
        # Its own process, not an import: peers.py builds on this module (no import circle).
        peers = [sys.executable, str(REPO / "bench" / "peers.py")]
        for n in (args.sizes or "100000").split(","):
            subprocess.run([*peers, "--passages", str(int(n))], check=True)
        return 0
    if args.worker:
        spec = json.loads(args.worker)
        task = WORKERS[spec.pop("task")]
        paths = {
            k: Path(v) if k in {"corpus", "out", "path", "queries", "seeds", "questions"} else v
            for k, v in spec.items()
        }
        if "limit" in paths:
            paths["limit"] = int(paths["limit"])
        print(json.dumps(task(**paths)))
        return 0
    started = time.perf_counter()
    # size -> rank-bm25 queries (0: skipped), time limit per child process
    sizes = (
        {1_000: 100, 10_000: 100}
        if args.quick
        else {1_000: 200, 10_000: 200, 100_000: 50, 1_000_000: 0}
    )
    if args.sizes:
        sizes = {
            int(n): sizes.get(int(n), 50 if int(n) <= 100_000 else 0) for n in args.sizes.split(",")
        }
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as name:
        tmp = Path(name)
        for n, rank_queries in sizes.items():
            rows += bench_size(n, tmp, rank_queries, timeout=600 if n > 100_000 else 300)
        refresh: dict = {}
        start: dict = {}
        meaning: dict = {}
        if not args.no_extras:
            seeds = tmp / "library"
            seed_briefs(SEED.read_text(encoding="utf-8"), 300 if args.quick else 10_000, seeds)
            shutil.copy(SEED.with_suffix(".yaml"), seeds / "brief-00000.yaml")
            refresh = child("refresh", 600, seeds=seeds, out=tmp / "library-index")
            print("  refresh: done", file=sys.stderr)
            start = startup(tmp, 6 if args.quick else 15)
            meaning = child("meaning", 300, seeds=REPO / "seeds", questions=QUESTIONS)
            print("  meaning: done", file=sys.stderr)
    print(report(rows, refresh, start, time.perf_counter() - started))
    if meaning:
        print(meaning_line(meaning))
    # A part that failed is shown in the table, and fails the run (CI keeps the bench working).
    failed = [r for r in [*rows, refresh, start, meaning] if "error" in r]
    for r in failed:
        where = f"{r.get('corpus', 'extras')} {r.get('engine', '')}"
        print(f"bench: {where}: {r['error']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
