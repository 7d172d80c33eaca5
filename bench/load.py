"""Promise 7 at full size: 500 /ask interactions from 50 users at once, with a /reindex among them.

The real bot, through discord.py, against the fake Discord on 127.0.0.1 (tests/fake_discord.py).
Prints the p50/p99 time from dispatching an interaction to the request that carries its
answer, and the process's memory before and after the burst (after a warm-up burst of the
same size). Every wait is bounded; the run takes well under a minute.

    python bench/load.py                 # latencies, and resident memory (RSS)
    python bench/load.py --trace         # also tracemalloc's count (slower; latencies inflated)
    python bench/load.py --spread 10     # the same interactions spread over 10 s instead
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# The fake Discord lives in tests/, which is not an installed package.
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.client import BriefBot, create_bot  # noqa: E402
from bot.config_file import load_config  # noqa: E402
from bot.runner import open_holder  # noqa: E402
from tests.bot.conftest import TOKEN, BotEnv, LoopThread, write_config  # noqa: E402
from tests.bot.load import (  # noqa: E402
    NEW_PARAGRAPH,
    NEW_PHRASE,
    NEW_QUESTION,
    Tracker,
    asks,
    fire,
    is_cooldown,
    point_discord_py_at,
    reindex_payload,
    traced_bytes,
)
from tests.conftest import SEED_STEM  # noqa: E402
from tests.fake_discord import Fake  # noqa: E402

WAIT_SECONDS = 120.0


def rss_bytes() -> int:
    """The resident set size of this process now (Linux), else its peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mb(count: int) -> str:
    return f"{count / 1e6:.2f} MB"


def run(interactions: int, users: int, cooldown_uses: int, trace: bool, spread: float) -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        seeds = tmp / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        lt = LoopThread()

        async def start_fake() -> Fake:
            fake = Fake(token=TOKEN)
            await fake.start()
            return fake

        fake = lt.run(start_fake())
        point_discord_py_at(fake)
        config = load_config(
            write_config(tmp, seeds, cooldown_uses=cooldown_uses, cooldown_seconds=600)
        )
        if trace:
            tracemalloc.start()

        async def build() -> BriefBot:
            return create_bot(config, open_holder(config))

        env = BotEnv(fake, lt, lt.run(build()), config)
        env.start()
        try:
            return _measure(env, seeds, interactions, users, trace, spread)
        finally:
            env.close()
            lt.run(fake.stop())
            lt.close()


def _measure(
    env: BotEnv, seeds: Path, interactions: int, users: int, trace: bool, spread: float
) -> int:
    tracker = Tracker(env)
    started = time.perf_counter()
    fire(env, tracker, asks(env, interactions, users, first_user=1_000))
    tracker.wait(WAIT_SECONDS)
    warm_up = time.perf_counter() - started
    tracker.reset()
    rss_before, traced_before = rss_bytes(), traced_bytes() if trace else 0

    brief = seeds / f"{SEED_STEM}.txt"
    brief.write_text(brief.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    payloads = asks(env, interactions, users, first_user=2_000)
    reindex = reindex_payload(env)
    half = len(payloads) // 2
    started = time.perf_counter()
    fire(env, tracker, [*payloads[:half], reindex, *payloads[half:]], spread)
    dispatched = time.perf_counter() - started
    tracker.wait(WAIT_SECONDS)
    wall = time.perf_counter() - started

    outcomes = [tracker.outcomes[p["token"]] for p in payloads]
    one_callback = sum(len(o.callbacks) == 1 for o in outcomes)
    refused = [o.latency for o in outcomes if is_cooldown(o)]
    searched = [o.latency for o in outcomes if not is_cooldown(o)]
    every = refused + searched
    rebuilt = tracker.outcomes[reindex["token"]]
    reindexed = "Rebuilt the index in " in rebuilt.text
    reindex_latency = rebuilt.latency
    del payloads, outcomes, rebuilt
    tracker.reset()
    rss_after, traced_after = rss_bytes(), traced_bytes() if trace else 0
    after = env.send(env.fake.slash("ask", question=NEW_QUESTION), timeout=10)
    new_index_used = NEW_PHRASE in after.text()

    when = f"over {spread:g} s" if spread else "at once"
    print(f"{interactions} /ask from {users} users {when}, /reindex after the first {half}")
    print(f"  warm-up burst: {warm_up:.2f} s; dispatch of the burst: {dispatched:.2f} s")
    print(f"  answered: {len(every)}/{interactions} ({len(refused)} cooldown notices), ", end="")
    print(f"exactly one callback: {one_callback}/{interactions}; all answered in {wall:.2f} s")
    print(f"  interaction -> answer, all:      p50 {ms(percentile(every, 50))}, ", end="")
    print(f"p99 {ms(percentile(every, 99))}, max {ms(max(every))}")
    if searched:
        print(f"  interaction -> answer, searched: p50 {ms(percentile(searched, 50))}, ", end="")
        print(f"p99 {ms(percentile(searched, 99))} (mean {ms(statistics.fmean(searched))})")
    print(f"  /reindex answered after {ms(reindex_latency)}: {reindexed}; ", end="")
    print(f"next answer uses the new index: {new_index_used}")
    growth = (rss_after - rss_before) / rss_before * 100
    print(f"  RSS before {mb(rss_before)}, after {mb(rss_after)} ({growth:+.1f}%)")
    if trace:
        growth = (traced_after - traced_before) / traced_before * 100
        print(
            f"  tracemalloc before {mb(traced_before)}, after {mb(traced_after)} ({growth:+.1f}%)"
        )
    ok = len(every) == one_callback == interactions and reindexed and new_index_used
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--cooldown-uses", type=int, default=8, help="answers per user per 10 minutes (default 8)"
    )
    parser.add_argument("--trace", action="store_true", help="also measure with tracemalloc")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="dispatch over this many seconds (default 0)"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.spread <= 30:
        parser.error("--spread must be 0-30 s")
    return run(args.interactions, args.users, args.cooldown_uses, args.trace, args.spread)


if __name__ == "__main__":
    sys.exit(main())
