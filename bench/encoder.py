"""Benchmark: the sentence encoder's start-up and embedding times, in fresh processes.

    python bench/encoder.py              # 1 BLAS thread and the default, 20 repeats each
    python bench/encoder.py --repeats 5  # quicker
    python bench/encoder.py --startup    # `briefbot ask` with and without it vs the floor
    python bench/encoder.py --build 1000 # a library of 1,000 passages built with vectors

Start-up is a child process timed from before `import index.encoder` to a loaded encoder:
first with an empty cache folder (read the zip, check the hashes, convert, write the mapped
file), then again (map the file). Embedding times are medians after one warm-up call: one
question, one ~150-token passage, and a batch of 31 sentences from the seed brief.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "interpreter-can-north-korea-play-off-russia-against-china.txt"
QUESTION = "How is Kim copying his grandfather?"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# English prose for the build: the sentences of the seed brief's paragraphs, as indexed
# (a file that does not change, so that runs compare).
PROSE = [SEED]
PASSAGES_PER_BRIEF = 10


def sentences() -> list[str]:
    """The seed brief's sentences, long enough to be sentences."""
    text = SEED.read_text(encoding="utf-8")
    found = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [s for s in found if len(s.split()) >= 6]


def prose_sentences() -> list[str]:
    """Sentences of real English prose: the seed brief's, as its paragraphs are indexed."""
    sys.path.insert(0, str(REPO))
    from index.brief_formats import load_brief

    found: list[str] = []
    for path in PROSE:
        for paragraph in load_brief(path, None).paragraphs:  # without the page's chrome
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph.text):
                words = sentence.split()
                if 6 <= len(words) <= 60 and sentence[0].isupper() and "`" not in sentence:
                    found.append(sentence)
    return sorted(set(found))


def write_library(target: Path, passages: int, seed: int = 11) -> tuple[int, int]:
    """Write `passages` distinct passages of 60-150 words (real sentences shuffled) as
    briefs of PASSAGES_PER_BRIEF paragraphs; return (passages, words)."""
    import random

    rng = random.Random(seed)
    pool = prose_sentences()
    target.mkdir(parents=True)
    made: set[str] = set()
    paragraphs: list[str] = []
    words = 0
    while len(paragraphs) < passages:
        want = rng.randint(60, 150)
        chosen: list[str] = []
        while sum(len(s.split()) for s in chosen) < want:
            chosen.append(rng.choice(pool))
        text = " ".join(chosen)
        if text not in made and len(text.split()) <= 150:
            made.add(text)
            paragraphs.append(text)
            words += len(text.split())
    for b in range(0, passages, PASSAGES_PER_BRIEF):
        body = "\n\n".join(paragraphs[b : b + PASSAGES_PER_BRIEF])
        (target / f"brief-{b // PASSAGES_PER_BRIEF:04d}.txt").write_text(
            f"Brief {b // PASSAGES_PER_BRIEF}\n\n{body}\n", encoding="utf-8"
        )
    return passages, words


def child_build(seeds: str, cache_dir: str) -> dict[str, float]:
    """Build the library in `seeds` with sentence vectors (the encoder's weights already
    converted in `cache_dir`); the seconds, and what was built."""
    from index import IndexSettings, build_index
    from index.meaning import shared_encoder

    encoder = shared_encoder(None, Path(cache_dir))
    assert encoder.usable()
    start, cpu = time.perf_counter(), time.process_time()
    library = build_index(Path(seeds), IndexSettings(), encoder=encoder)
    seconds = time.perf_counter() - start
    assert library.vectors is not None
    return {
        "build_s": seconds,
        "cpu_s": time.process_time() - cpu,  # all threads: what an idle machine would need
        "passages": len(library.passages),
        "sentences": int(library.vectors.ptr[-1]),
        "passages_per_s": len(library.passages) / seconds,
    }


def build(passages: int) -> None:
    """Print how long a library of `passages` passages takes to build with vectors."""
    with tempfile.TemporaryDirectory(prefix="briefbot-build-") as name:
        seeds, cache = Path(name) / "seeds", Path(name) / "model"
        count, words = write_library(seeds, passages)
        run_child(["--child", "load", "--cache-dir", str(cache)], None)  # convert once
        got = run_child(["--child", "build", "--seeds", str(seeds), "--cache-dir", str(cache)])
    print(
        f"{os.cpu_count()} CPUs; {got['passages']:,.0f} passages of {count:,} paragraphs "
        f"({words / count:.0f} words on average, "
        f"{got['sentences']:,.0f} sentences) built with sentence vectors in "
        f"{got['build_s']:.1f} s: {got['passages_per_s']:.1f} passages/s (target ≤ 90 s); "
        f"{got['cpu_s']:.1f} CPU seconds on {encoder_workers()} thread(s), load average "
        f"{os.getloadavg()[0]:.1f}"
    )


def encoder_workers() -> int:
    """How many forward batches the encoder runs at once here."""
    sys.path.insert(0, str(REPO))
    from index.encoder import WORKERS

    return WORKERS


def startup_only(runs: int) -> None:
    """Print `briefbot ask`'s start-up with and without the encoder, against the floor."""
    sys.path.insert(0, str(REPO))
    from bench.run import startup, startup_line

    with tempfile.TemporaryDirectory(prefix="briefbot-startup-") as name:
        print(startup_line(startup(Path(name), runs)))


def child_load(cache_dir: str) -> dict[str, float]:
    """Time the import and the load in this (fresh) process."""
    start = time.perf_counter()
    from index.encoder import load_encoder

    imported = time.perf_counter()
    encoder = load_encoder(None, Path(cache_dir))
    assert encoder is not None
    loaded = time.perf_counter()
    return {"import_s": imported - start, "load_s": loaded - imported, "total_s": loaded - start}


def child_embed(cache_dir: str, repeats: int) -> dict[str, float]:
    """Median embedding times for the three workloads."""
    from index.encoder import load_encoder

    encoder = load_encoder(None, Path(cache_dir))
    assert encoder is not None
    found = sentences()
    words = " ".join(found).split()
    count = 1
    while len(encoder.token_ids([" ".join(words[:count])])[0]) < 150:
        count += 1
    passage = " ".join(words[:count])
    workloads = {"question": [QUESTION], "passage": [passage], "batch31": found[:31]}
    result: dict[str, float] = {
        "passage_tokens": len(encoder.token_ids([passage])[0]),
        "batch31_tokens": sum(len(ids) for ids in encoder.token_ids(found[:31])),
    }
    for name, texts in workloads.items():
        encoder.embed(texts)  # warm-up: touches the mapped pages
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            encoder.embed(texts)
            times.append(time.perf_counter() - start)
        result[f"{name}_ms"] = statistics.median(times) * 1000
    return result


def run_child(args: list[str], threads: int | None = None) -> dict[str, float]:
    """Run this script as a child with the given BLAS thread count; its JSON result."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    if threads is not None:
        env |= {name: str(threads) for name in THREAD_VARIABLES}
    env["PYTHONPATH"] = str(REPO)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def main() -> None:
    """Print the start-up and embedding times for each thread setting."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--startup", action="store_true", help="only the start-up ratios")
    parser.add_argument("--runs", type=int, default=15, help="start-up rounds")
    parser.add_argument("--build", type=int, metavar="PASSAGES", help="only a library build")
    parser.add_argument("--child", choices=["load", "embed", "build"])
    parser.add_argument("--cache-dir")
    parser.add_argument("--seeds")
    args = parser.parse_args()
    if args.child == "build":
        print(json.dumps(child_build(args.seeds, args.cache_dir)))
        return
    if args.startup:
        startup_only(args.runs)
        return
    if args.build:
        build(args.build)
        return
    if args.child == "load":
        print(json.dumps(child_load(args.cache_dir)))
        return
    if args.child == "embed":
        print(json.dumps(child_embed(args.cache_dir, args.repeats)))
        return
    print(f"{os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    for threads in (1, None):
        label = "1 BLAS thread" if threads else "default BLAS threads"
        with tempfile.TemporaryDirectory() as cache:
            first = run_child(["--child", "load", "--cache-dir", cache], threads)
            second = run_child(["--child", "load", "--cache-dir", cache], threads)
            embed = run_child(
                ["--child", "embed", "--cache-dir", cache, "--repeats", str(args.repeats)],
                threads,
            )
        print(f"\n{label}")
        for name, load in (("first load (convert)", first), ("second load (map)", second)):
            print(
                f"  {name:22} import {load['import_s']:.3f} s, load {load['load_s']:.3f} s,"
                f" whole process {load['process_s']:.3f} s"
            )
        print(f"  one question           {embed['question_ms']:.1f} ms")
        print(f"  one passage ({embed['passage_tokens']:.0f} tokens) {embed['passage_ms']:.1f} ms")
        print(f"  31 sentences ({embed['batch31_tokens']:.0f} tokens) {embed['batch31_ms']:.1f} ms")


if __name__ == "__main__":
    main()
