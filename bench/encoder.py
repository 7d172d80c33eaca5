"""Benchmark: the sentence encoder's start-up and embedding times, in fresh processes.

    python bench/encoder.py              # 1 BLAS thread and the default, 20 repeats each
    python bench/encoder.py --repeats 5  # quicker

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


def sentences() -> list[str]:
    """The seed brief's sentences, long enough to be sentences."""
    text = SEED.read_text(encoding="utf-8")
    found = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [s for s in found if len(s.split()) >= 6]


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
    while len(encoder._tokenizer.encode(" ".join(words[:count])).ids) < 150:
        count += 1
    passage = " ".join(words[:count])
    workloads = {"question": [QUESTION], "passage": [passage], "batch31": found[:31]}
    result: dict[str, float] = {
        "passage_tokens": len(encoder._tokenizer.encode(passage).ids),
        "batch31_tokens": sum(len(encoder._tokenizer.encode(s).ids) for s in found[:31]),
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


def run_child(args: list[str], threads: int | None) -> dict[str, float]:
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
    parser.add_argument("--child", choices=["load", "embed"])
    parser.add_argument("--cache-dir")
    args = parser.parse_args()
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
