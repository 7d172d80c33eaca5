"""Attack an index file: random single-bit flips and crafted manifests, then load and ask.

    python bench/attack_index.py [--flips 400] [--crafted 300] [--format mapped|json]

Each damaged copy is loaded and asked the questions of tests/qa/seed.yaml, and counted as:
refused (IndexUnreadable, from the load or a read: the front ends then rebuild), same (the
answers are those of the intact file), reordered (other passages, but each quoted word for
word under its own citation), wrong quote (a text or citation that is not the brief's) or
traceback (any other exception). Issue 12 item 1: before the checks, 15 of 400 flips gave a
traceback and 64 changed the answer.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from index import IndexSettings, Searcher, build_index, load_index, save_index  # noqa: E402
from index.errors import BriefError, IndexUnreadable  # noqa: E402

SEEDS = REPO / "seeds"


def questions() -> list[str]:
    """The questions of the seed question set."""
    cases = yaml.safe_load((REPO / "tests" / "qa" / "seed.yaml").read_text())
    items = cases["cases"] if isinstance(cases, dict) else cases
    return [c["q"] for c in items][:12]


Shown = list[list[tuple[str, str, int, str]]]


def answers(path: Path, settings: IndexSettings, asked: list[str]) -> Shown:
    """For each question, the (passage id, quoted text, paragraph, title) of the hits."""
    library = load_index(path, settings)
    searcher = Searcher(library)
    shown = []
    for q in asked:
        answer = searcher.search(q)
        cited = [(h.citation.paragraph, h.citation.title) for h in answer.hits]
        shown.append([(h.passage_id, h.text, *c) for h, c in zip(answer.hits, cited, strict=True)])
    for p in library.passages:  # a whole-library read, as `sources` and `eval` do
        _ = p.text
    return shown


def classify(
    path: Path,
    settings: IndexSettings,
    asked: list[str],
    truth: dict[str, tuple[str, int, str]],
    expected: Shown,
) -> str:
    """What a damaged file at `path` does: refused, same, reordered, wrong quote, traceback."""
    try:
        got = answers(path, settings, asked)
    except IndexUnreadable:
        return "refused"
    except BriefError as exc:
        return f"other error ({exc.__class__.__name__})"
    except Exception as exc:  # the very thing counted
        return f"traceback ({exc.__class__.__name__})"
    if got == expected:
        return "same"
    for hits in got:
        for pid, text, paragraph, title in hits:
            known = truth.get(pid)
            if known is None or text not in known[0] or (paragraph, title) != known[1:]:
                return "wrong quote"
    return "reordered"


def flips(raw: bytes, n: int, rng: random.Random) -> list[bytes]:
    """`n` copies of `raw`, each with one random bit flipped."""
    out = []
    for _ in range(n):
        data = bytearray(raw)
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
        out.append(bytes(data))
    return out


def _head(raw: bytes) -> tuple[int, int, dict[str, Any], bool]:
    """The manifest's offset, length and content, and whether it has a checksum (v3)."""
    (size,) = struct.unpack_from("<Q", raw, 16)
    try:
        return 24, size, json.loads(raw[24 : 24 + size]), False  # version 2: no checksum
    except ValueError:
        return 28, size, json.loads(raw[28 : 28 + size]), True


def crafted(raw: bytes, n: int, rng: random.Random) -> list[bytes]:
    """`n` mapped files whose manifest was edited (a number, dtype or shape changed) and
    its checksum recomputed, as a tool that rewrites the manifest would leave it."""
    magic = 16
    at, size, head, checked = _head(raw)
    out = []
    for _ in range(n):
        doc = json.loads(json.dumps(head))
        name = rng.choice(sorted(doc["arrays"]))
        spec = doc["arrays"][name]
        key = rng.choice(["dtype", "shape", "offset", "crc"])
        choices: list[object] = {
            "dtype": ["<i8", "<i4", "|u1", "<f4", "|S3", "O", ">i8", "<U4"],
            "shape": [[0], [1], [10**6], [-1], [3, 3], [], "x"],
            "offset": [0, -64, 64, 10**9, 1.5, "0"],
            "crc": [0, None, "x"],
        }[key]
        spec[key] = rng.choice(choices)
        body = json.dumps(doc, separators=(",", ":")).encode()
        start = -(-(at + size) // 64) * 64
        new_start = -(-(at + len(body)) // 64) * 64
        sums = struct.pack("<QI", len(body), zlib.crc32(body)) if checked else b""
        head_bytes = raw[:magic] + (sums or struct.pack("<Q", len(body))) + body
        if new_start != start:
            continue
        out.append(head_bytes.ljust(start, b"\0") + raw[start:])
    return out


def arrays_edited(raw: bytes, n: int, rng: random.Random) -> list[bytes]:
    """`n` mapped files with one array value set to an extreme (as the issue's repro sets
    every post_doc to 1000000), the manifest checksums left as they were."""
    import numpy as np

    at, size, head, _ = _head(raw)
    start = -(-(at + size) // 64) * 64
    out = []
    for _ in range(n):
        name = rng.choice(sorted(head["arrays"]))
        spec = head["arrays"][name]
        dtype = np.dtype(spec["dtype"])
        count = int(np.prod(spec["shape"]))
        if not count or dtype.kind not in "iuf":
            continue
        data = bytearray(raw)
        view = np.frombuffer(data, dtype=dtype, count=count, offset=start + spec["offset"])
        view = view.reshape(-1)
        value = rng.choice([1000000, -1, 0, 2**31 - 1])
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            value = info.max if value < info.min else min(value, int(info.max))
        if rng.random() < 0.5:
            view[:] = value
        else:
            view[rng.randrange(count)] = value
        out.append(bytes(data))
    return out


def main() -> None:
    """Print the counts for each kind of damage."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--flips", type=int, default=400)
    parser.add_argument("--crafted", type=int, default=300)
    parser.add_argument("--format", choices=["mapped", "json"], default="mapped")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = "numpy" if args.format == "mapped" else "rank-bm25"
    settings = IndexSettings(engine=engine)
    asked = questions()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.bin"
        library = build_index(SEEDS, settings)
        save_index(library, path)
        truth = {
            p.id: (p.text, p.paragraph, library.briefs[p.brief].title) for p in library.passages
        }
        expected = answers(path, settings, asked)
        raw = path.read_bytes()
        kinds = {"flips": flips(raw, args.flips, rng)}
        if args.format == "mapped":
            kinds["crafted manifests"] = crafted(raw, args.crafted, rng)
            kinds["edited arrays"] = arrays_edited(raw, args.crafted, rng)
        for kind, copies in kinds.items():
            counts: Counter[str] = Counter()
            for data in copies:
                path.write_bytes(data)
                counts[classify(path, settings, asked, truth, expected)] += 1
            print(f"{args.format} {kind} ({len(copies)}): {dict(counts.most_common())}")


if __name__ == "__main__":
    main()
