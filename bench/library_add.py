"""Benchmark: how long /brief add takes from the file to the first answer quoting it.

    python bench/library_add.py              # 5 repeats
    python bench/library_add.py --repeats 3

A library holding the seed brief is built once with the sentence encoder (as the bot
serves it). Each repeat adds a seed-sized brief (the seed's paragraphs in another order,
as Markdown, under another title) the way the bot does: read and check it, write it
atomically, rebuild incrementally from the served library (only the new brief is read,
tokenised and embedded), swap it in, and ask a question the new brief answers. The brief
is removed again between repeats. Times are split into those steps; medians reported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bot import library_changes
from bot.config import Config, MeaningConfig
from bot.libraries import open_holder_of
from bot.shelf import brief_files, check_candidate, read_candidate

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "interpreter-can-north-korea-play-off-russia-against-china.txt"
QUESTION = "How long is the border between North Korea and China?"


def new_brief() -> bytes:
    """A seed-sized Markdown brief with the same words in another order (not a duplicate)."""
    text = SEED.read_text(encoding="utf-8").split("You may also be interested")[0]
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = paragraphs[2:][::-1]  # after the site line and the title
    return ("# The seed, reordered\n\n" + "\n\n".join(body) + "\n").encode("utf-8")


def one_add(config: Config, data: bytes) -> dict[str, float]:
    """Add the brief once, timing each step; then take it out again."""
    holder = open_holder_of(config)
    assert holder is not None
    times: dict[str, float] = {}
    start = time.perf_counter()
    candidate = read_candidate(data, "reordered.md", max_bytes=10_000_000)
    check_candidate(candidate, holder.library)
    times["read_and_check"] = time.perf_counter() - start
    mark = time.perf_counter()
    change = library_changes.add(config, holder, candidate, None)
    times["write_and_rebuild"] = time.perf_counter() - mark
    mark = time.perf_counter()
    holder.swap(change.library)
    answer = holder.current.search(QUESTION)
    times["swap_and_first_answer"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    assert any(h.citation.brief == change.brief_id for h in answer.hits), "not answered from it"
    for path in brief_files(config.seeds_dir, change.brief_id):
        path.unlink()
    library_changes.refreshed(config, holder)
    return times


def main() -> None:
    """Print the median of each step over the repeats, as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        cache = Path(tempfile.gettempdir()) / "briefbot-tests-model"
        config = Config(
            seeds_dir=seeds, data_dir=Path(tmp) / "data", meaning=MeaningConfig(cache_dir=cache)
        )
        open_holder_of(config)  # build the index and load the encoder once
        data = new_brief()
        runs = [one_add(config, data) for _ in range(args.repeats)]
    medians = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    print(json.dumps({"repeats": args.repeats, "brief_bytes": len(data), "median_s": medians}))


if __name__ == "__main__":
    main()
