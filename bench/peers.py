"""Benchmark: briefbot's numpy engine against tantivy and bm25s, one corpus, one table.

    pip install -e '.[bench]'
    python bench/peers.py --passages 100000 --queries 1000

Each engine builds its index in a fresh process (build wall time, file size), then
each loads it in its own fresh process and stays up to answer queries (RSS after
load). Queries go out in rounds, each round a slice of the query list sent to every
engine in turn (the order rotates), so a slow moment of the machine falls on all
engines alike. *rank* is one query end to end as a user would call it: tokenise,
rank, the top 10 passages (ids and scores). The `briefbot search` row is briefbot's
whole search over its own index (Searcher.search, words only: hits with citations),
served and timed the same way. The `tantivy + text` row is tantivy's rank with the 10
passages' stored text fetched, what a bot built on tantivy does before it can quote them,
over tantivy's own index. Peers that are not installed are skipped; bench/run.py needs
none of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import Synthetic  # noqa: E402
from bench.run import rss_mib  # noqa: E402

ENGINES = ("briefbot", "tantivy", "bm25s")
# briefbot's whole search (Searcher.search: what a user waits for) over briefbot's index,
# served in its own process and interleaved with the engines' ranking.
SEARCH = "briefbot search"
# tantivy's rank and the stored text of its 10 passages (what quoting them takes), over
# tantivy's index: a peer for the whole search beside the target's rank-only one.
TANTIVY_TEXT = "tantivy + text"
# `--baseline DIR`: briefbot as another checkout has it, built and queried in the same run
# by that checkout's own peers.py (before/after side by side, queries interleaved), its
# whole search too.
BASELINE = "briefbot-base"
# The baseline's whole search, over the baseline's index, by the baseline's peers.py.
BASELINE_SEARCH = "briefbot-base search"
# What a baseline row is served as by the baseline's own peers.py.
SERVED_AS = {BASELINE: "briefbot", BASELINE_SEARCH: SEARCH}
WARM_UP = 10


def size_mib(path: Path) -> float:
    """Size of a file, or of every file under a folder, in MiB."""
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


# --- building, one fresh process each ------------------------------------------------------


def build_briefbot(texts: list[str], out: Path) -> None:
    """As build_index does once it has read the briefs (bench/run.py's `assembled`), then
    its one index file saved."""
    from dataclasses import replace

    from bench.run import assembled, synthetic_library
    from index import IndexSettings, save_index

    passages, briefs = synthetic_library(texts)
    save_index(assembled(passages, briefs, replace(IndexSettings(), engine="numpy")), out)


def build_tantivy(texts: list[str], out: Path) -> None:
    """One stored, stemmed text field; tantivy picks its writer threads."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    out.mkdir()
    index = tantivy.Index(builder.build(), path=str(out))
    writer = index.writer(heap_size=512 * 2**20)
    for text in texts:
        writer.add_document(tantivy.Document(body=text))
    writer.commit()
    writer.wait_merging_threads()


def build_bm25s(texts: list[str], out: Path) -> None:
    """bm25s's README recipe, with the same Snowball stemmer as ours; the corpus saved too."""
    import bm25s
    import Stemmer

    tokens = bm25s.tokenize(
        texts, stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False
    )
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    model.save(str(out), corpus=texts, show_progress=False)


BUILDERS = {"briefbot": build_briefbot, "tantivy": build_tantivy, "bm25s": build_bm25s}


def work_build(engine: str, corpus: Path, out: Path) -> dict:
    """Read the corpus (not timed), build and save the index (timed)."""
    texts = corpus.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    BUILDERS[engine](texts, out)
    return {"build_s": time.perf_counter() - started, "file_mib": size_mib(out)}


# --- querying, one long-lived fresh process each ---------------------------------------------


def open_briefbot(path: Path):
    """load_index, then the engine's top 10 for the query's distinct terms."""
    from dataclasses import replace

    from index import IndexSettings, load_index
    from index.tokenize import tokenize

    ranker = load_index(path, replace(IndexSettings(), engine="numpy")).engine
    assert ranker is not None
    return lambda q: ranker.top(list(dict.fromkeys(tokenize(q))), 10)


def open_briefbot_search(path: Path):
    """load_index, then Searcher.search: words only (no encoder), the 10 best hits with
    their citations, best sentences and verdict."""
    from dataclasses import replace

    from index import IndexSettings, Searcher, load_index

    searcher = Searcher(load_index(path, replace(IndexSettings(), engine="numpy")))
    return lambda q: searcher.search(q, 10)


def open_tantivy(path: Path):
    """Index.open, one searcher; parse_query over the body field (terms ORed), top 10."""
    import tantivy

    index = tantivy.Index.open(str(path))
    searcher = index.searcher()

    def rank(q: str) -> list:
        hits = searcher.search(index.parse_query(q, ["body"]), 10).hits
        return [(address.doc, score) for score, address in hits]

    return rank


def open_tantivy_text(path: Path):
    """open_tantivy's rank, then each of the 10 passages' stored text fetched."""
    import tantivy

    index = tantivy.Index.open(str(path))
    searcher = index.searcher()

    def rank(q: str) -> list:
        hits = searcher.search(index.parse_query(q, ["body"]), 10).hits
        return [(searcher.doc(address)["body"][0], score) for score, address in hits]

    return rank


def open_bm25s(path: Path):
    """BM25.load (in memory, as its README), numba back end, one thread, top 10."""
    import bm25s
    import Stemmer

    model = bm25s.BM25.load(str(path), show_progress=False, backend="numba")
    stemmer = Stemmer.Stemmer("english")
    vocab = model.vocab_dict

    def rank(q: str) -> list:
        words = bm25s.tokenize(
            q, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
        )[0]
        words = [w for w in words if w in vocab]
        if not words:
            return []
        docs, scores = model.retrieve(
            [words], k=10, show_progress=False, n_threads=1, backend_selection="numba"
        )
        return list(zip(docs[0].tolist(), scores[0].tolist(), strict=True))

    return rank


OPENERS = {
    "briefbot": open_briefbot,
    SEARCH: open_briefbot_search,
    "tantivy": open_tantivy,
    TANTIVY_TEXT: open_tantivy_text,
    "bm25s": open_bm25s,
}


def serve(engine: str, path: Path, queries: Path) -> None:
    """Load, say how it went, then time each batch of query numbers read from stdin."""
    questions = json.loads(queries.read_text())
    base = rss_mib()
    started = time.perf_counter()
    rank = OPENERS[engine](path)
    load_s = time.perf_counter() - started
    report = {"load_s": load_s, "rss_before_mib": base, "rss_after_load_mib": rss_mib()}
    print(json.dumps(report), flush=True)
    for line in sys.stdin:
        times = []
        for i in json.loads(line):
            t = time.perf_counter()
            rank(questions[i])
            times.append(time.perf_counter() - t)
        print(json.dumps(times), flush=True)


# --- the run ------------------------------------------------------------------------------------


def script(engine: str, baseline: Path | None) -> list[str]:
    """The command that runs an engine's worker: this file, or the baseline's copy."""
    if engine in SERVED_AS and baseline is not None:
        return [sys.executable, str(baseline / "bench" / "peers.py")]
    return [sys.executable, __file__]


def child(args: list[str], timeout: float, baseline: Path | None = None) -> dict:
    """Run `peers.py --worker ...` in a fresh interpreter; its last stdout line is JSON."""
    engine = args[1]
    cmd = [
        *script(engine, baseline),
        "--worker",
        *[SERVED_AS.get(a, a) for a in args],
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def installed(engine: str) -> bool:
    """Whether a peer's package can be imported here (briefbot always can)."""
    import importlib.util

    module = {
        "briefbot": "index",
        BASELINE: "index",
        SEARCH: "index",
        BASELINE_SEARCH: "index",
        "tantivy": "tantivy",
        TANTIVY_TEXT: "tantivy",
        "bm25s": "bm25s",
    }[engine]
    return importlib.util.find_spec(module) is not None


def query_rounds(
    engines: dict[str, Path], queries: Path, count: int, rounds: int, baseline: Path | None
) -> dict:
    """Start one server per engine, each once the one before has loaded (so that `load s`
    is one load's time, not seven sharing two cores), warm each up, then send the queries
    in rounds."""
    procs: dict[str, subprocess.Popen[str]] = {}
    rows: dict[str, dict] = {}
    try:
        for e, p in engines.items():
            procs[e] = proc = subprocess.Popen(
                [
                    *script(e, baseline),
                    *["--worker", "serve", SERVED_AS.get(e, e), str(p), str(queries)],
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            rows[e] = {**json.loads(proc.stdout.readline()), "times": []}

        def ask(e: str, numbers: list[int]) -> list[float]:
            proc = procs[e]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(numbers) + "\n")
            proc.stdin.flush()
            return list(json.loads(proc.stdout.readline()))

        for e in procs:
            ask(e, list(range(WARM_UP)))
        numbers = list(range(WARM_UP, WARM_UP + count))
        step = -(-count // rounds)
        names = list(procs)
        for r in range(rounds):
            batch = numbers[r * step : (r + 1) * step]
            for e in names[r % len(names) :] + names[: r % len(names)]:
                rows[e]["times"] += ask(e, batch)
    finally:
        for proc in procs.values():
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=60)
    for row in rows.values():
        ordered = sorted(row.pop("times"))
        row["queries"] = len(ordered)
        row["rank_ms"] = (
            1000 * statistics.median(ordered),
            1000 * ordered[int(0.99 * (len(ordered) - 1))],
        )
    return rows


COLUMNS = (
    ("build s", "build_s", ".1f"),
    ("file MiB", "file_mib", ".0f"),
    ("load s", "load_s", ".3f"),
    ("RSS after load MiB", "rss_after_load_mib", ".0f"),
)
# Target ratios of briefbot to the best peer (issue 15).
TARGETS = {"build_s": 1.5, "file_mib": 1.5, "rss_after_load_mib": 1.5, "p50": 1.0, "p99": 1.5}
# The whole search's p50 against tantivy's rank p50 (issue 15).
SEARCH_TARGET = 2.0


def table(rows: dict[str, dict], passages: int) -> str:
    """The Markdown table of one run, with briefbot ÷ best peer ratios."""
    builds = max((r.get("builds", 1) for r in rows.values()), default=1)
    each = f"; build s is the median of {builds} interleaved builds" if builds > 1 else ""
    lines = [
        f"Synthetic corpus (bench/corpus.py), {passages:,} passages; rank ms is p50 / p99{each}.",
        "",
        "| engine | build s | file MiB | load s | RSS after load MiB | queries | rank p50 ms "
        "| rank p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e, r in rows.items():
        if "error" in r:
            lines.append(f"| {e} | {r['error']} | | | | | | |")
            continue
        cells = [format(r[key], spec) if key in r else "-" for _, key, spec in COLUMNS]
        p50, p99 = r.get("rank_ms", (None, None))
        lines.append(
            f"| {e} | {' | '.join(cells)} | {r.get('queries', '-')} "
            f"| {p50 if p50 is None else format(p50, '.3f')} "
            f"| {p99 if p99 is None else format(p99, '.2f')} |"
        )
    ours = rows.get("briefbot", {})
    peers = [
        r
        for e, r in rows.items()
        if not e.startswith("briefbot") and e != TANTIVY_TEXT and "error" not in r
    ]
    if "error" in ours or not peers or "rank_ms" not in ours:
        return "\n".join(lines)
    values = {k: ours[k] for k in ("build_s", "file_mib", "rss_after_load_mib")}
    values["p50"], values["p99"] = ours["rank_ms"]
    ratios = []
    for key, value in values.items():
        best = min((r["rank_ms"][key == "p99"] if key in ("p50", "p99") else r[key]) for r in peers)
        ratio = value / best
        mark = "met" if ratio <= TARGETS[key] else "not met"
        ratios.append(f"{key} {ratio:.2f}x (target ≤ {TARGETS[key]}x: {mark})")
    lines += ["", "briefbot ÷ best peer: " + "; ".join(ratios) + "."]
    search, tantivy = rows.get(SEARCH, {}), rows.get("tantivy", {})
    if "rank_ms" in search and "rank_ms" in tantivy:
        ratio = search["rank_ms"][0] / tantivy["rank_ms"][0]
        mark = "met" if ratio <= SEARCH_TARGET else "not met"
        lines += [
            "",
            f"Whole search (the `{SEARCH}` row) p50 ÷ tantivy's rank p50: {ratio:.2f}x "
            f"(target ≤ {SEARCH_TARGET}x: {mark}).",
        ]
    quoted = rows.get(TANTIVY_TEXT, {})
    if "rank_ms" in search and "rank_ms" in quoted:
        ratio = search["rank_ms"][0] / quoted["rank_ms"][0]
        lines.append(
            f"Whole search p50 ÷ `{TANTIVY_TEXT}` p50 (tantivy's rank with the passages "
            f"to quote): {ratio:.2f}x (no target; for comparison)."
        )
    base = rows.get(BASELINE, {})
    if "rank_ms" in base:
        keys = ("build_s", "file_mib", "rss_after_load_mib")
        mine = [ours[k] / base[k] for k in keys] + [
            a / b for a, b in zip(ours["rank_ms"], base["rank_ms"], strict=True)
        ]
        names = (*keys, "p50", "p99")
        pairs = "; ".join(f"{n} {r:.2f}x" for n, r in zip(names, mine, strict=True))
        lines += ["", f"briefbot ÷ {BASELINE} (this checkout ÷ the baseline): {pairs}."]
    searched = rows.get(BASELINE_SEARCH, {})
    if "rank_ms" in search and "rank_ms" in searched:
        p50, p99 = (a / b for a, b in zip(search["rank_ms"], searched["rank_ms"], strict=True))
        lines.append(f"Whole search ÷ `{BASELINE_SEARCH}`: p50 {p50:.2f}x; p99 {p99:.2f}x.")
    return "\n".join(lines)


def build_rounds(
    engines: list[str], corpus: Path, tmp: Path, builds: int, passages: int, baseline: Path | None
) -> dict[str, dict]:
    """Build every engine's index of the corpus's `passages` `builds` times, each round
    building every engine once (interleaved, as the queries are: a machine that slows down
    slows all); build_s is the median, and the last build's index is the one queried."""
    timeout = 3600 if passages > 100_000 else 900
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    for r in range(builds):
        for e in engines:
            out = tmp / f"index-{e}"
            if out.is_dir():
                shutil.rmtree(out)
            elif out.exists():
                out.unlink()
            row = child(["build", e, str(corpus), str(out)], timeout, baseline)
            print(f"  {e}: build {r + 1} of {builds}: {row}", file=sys.stderr)
            runs[e].append(row)
    rows = {}
    for e, built in runs.items():
        failed = [row for row in built if "error" in row]
        if failed:
            rows[e] = failed[-1]
            continue
        seconds = [row["build_s"] for row in built]
        rows[e] = {**built[-1], "build_s": statistics.median(seconds), "builds": len(seconds)}
    return rows


def main(argv: list[str] | None = None) -> int:
    """Build, load and query every installed engine on one corpus; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--builds",
        type=int,
        default=0,
        help="builds of each index, build s being their median (default: 3 up to 100,000 "
        "passages, where one build is a few noisy seconds; 1 above)",
    )
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout of briefbot to measure beside this one"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.builds < 0:
        parser.error("--builds must be 1 or more (0: the default for the size)")
    if args.worker:
        task, engine, *paths = args.worker
        if task == "serve":
            serve(engine, Path(paths[0]), Path(paths[1]))
        else:
            print(json.dumps(work_build(engine, Path(paths[0]), Path(paths[1]))))
        return 0
    wanted = [e for e in args.engines.split(",") if e]
    if args.baseline:
        wanted.insert(1, BASELINE)
    missing = [e for e in wanted if not installed(e)]
    for e in missing:
        print(f"peers: {e} is not installed (pip install -e '.[bench]'); skipped", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="briefbot-peers-") as name:
        tmp = Path(name)
        corpus, queries = tmp / "corpus.txt", tmp / "queries.json"
        synthetic = Synthetic()
        with corpus.open("w", encoding="utf-8") as f:
            for text in synthetic.passages(args.passages):
                f.write(text + "\n")
        queries.write_text(json.dumps(synthetic.queries(args.queries + WARM_UP)))
        builds = args.builds or (3 if args.passages <= 100_000 else 1)
        built = [e for e in wanted if e not in missing]
        rows = build_rounds(built, corpus, tmp, builds, args.passages, args.baseline)
        paths = {e: tmp / f"index-{e}" for e, row in rows.items() if "error" not in row}
        if "briefbot" in paths:
            # The whole search over the same file: no build of its own.
            paths = {"briefbot": paths["briefbot"], SEARCH: paths["briefbot"], **paths}
            rows[SEARCH] = {}
        if BASELINE in paths:
            paths[BASELINE_SEARCH] = paths[BASELINE]
            rows[BASELINE_SEARCH] = {}
        if "tantivy" in paths:
            # tantivy's rank with the text to quote, over tantivy's own file.
            paths[TANTIVY_TEXT] = paths["tantivy"]
            rows[TANTIVY_TEXT] = {}
        served = query_rounds(paths, queries, args.queries, args.rounds, args.baseline)
        for e, row in served.items():
            rows[e].update(row)
    print(table(rows, args.passages))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 1 if any("error" in r for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
