"""A large library's passage text, compressed in blocks of TEXT_BLOCK passages (zstandard).

A search decodes about ten blocks (its leading candidates' phrases and the passages it
shows), so decoding is on every question's path: zstandard at level 1 decodes a block of
8 bench passages in 8 µs where zlib took 28, compresses them 2.5x faster, and 6% smaller.

Frames carry no content size: a block's size is known from the passage pointers, and a
size read from a damaged file's frame header must never decide how much is allocated.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import zstandard

from index.mapped_check import TEXT_BLOCK
from index.postings_build import Array

# Text blocks from which two threads compress them.
_SHARED_COMPRESSION = 256
# Level 1: the bench corpus's text in 42% of its size; level 3 gave 43%, at more time.
_LEVEL = 1

# A decompressor holds a context (17 µs to make) that threads may not share: one a thread.
_LOCAL = threading.local()


class BlockError(ValueError):
    """A text block that does not decode to the size its passages say."""


def compress_blocks(blob: bytes, ptr: Array) -> tuple[Array, Array]:
    """The text compressed in blocks of TEXT_BLOCK passages, and where each block starts."""
    bounds = ptr[::TEXT_BLOCK].tolist() + ([int(ptr[-1])] if (len(ptr) - 1) % TEXT_BLOCK else [])
    spans = list(itertools.pairwise(bounds))
    if len(spans) < _SHARED_COMPRESSION:
        parts = _compressed(blob, spans)
    else:
        # zstandard lets go of the GIL: a second thread compresses the second half, so a
        # build whose scoring is done gets both cores for what is left.
        half = len(spans) // 2
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(_compressed, blob, spans[half:])
            parts = _compressed(blob, spans[:half]) + second.result()
    sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    return np.frombuffer(b"".join(parts), dtype=np.uint8), starts


def _compressed(blob: bytes, spans: list[tuple[int, int]]) -> list[bytes]:
    # A compressor of its own: each thread calls this with its half.
    pack = zstandard.ZstdCompressor(
        level=_LEVEL, write_checksum=False, write_content_size=False, write_dict_id=False
    ).compress
    view = memoryview(blob)
    return [pack(view[a:b]) for a, b in spans]


def decompress_block(packed: bytes, size: int) -> bytes:
    """The `size` bytes of one block; BlockError when the block decodes to anything else."""
    inflate = getattr(_LOCAL, "inflate", None)
    if inflate is None:
        inflate = _LOCAL.inflate = zstandard.ZstdDecompressor().decompress
    try:
        if zstandard.frame_content_size(packed) not in (-1, size):
            # Our frames carry no size: one that declares another was not written by us.
            raise BlockError("its frame declares another size")
        # Never more than the block should hold, whatever the file says.
        raw = inflate(packed, max_output_size=size + 1)
    except zstandard.ZstdError as exc:
        raise BlockError(f"it does not decompress ({exc})") from exc
    if len(raw) != size:
        raise BlockError("it has the wrong length")
    return raw
