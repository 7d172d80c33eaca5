"""A large library's passage text, each passage compressed alone (zstandard), with a
dictionary trained on the library's own text.

A search decodes about ten passages (its leading candidates' phrases and the passages it
shows), so decoding is on every question's path, and its time grows with the block: with a
32 KiB dictionary trained on the library's passages (0.012 s for 1,000 samples at fixed
COVER parameters), a block of 8 bench passages decoded in 6.3 µs, one of 2 in 2.7 µs, and
one passage alone (format 10) in 60% of a block of 2's instructions. Without the
dictionary small blocks would compress badly (2 passages: 14% larger than 8); with it,
the bench's text, a passage to a block, is 1.2% larger than in blocks of 2.

A frame carries its content size, and a block is decoded only once the size it declares is
the one the passage pointers give: a size read from a damaged file's frame header never
decides how much is allocated, and zstandard decodes the frame in one call.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import zstandard

from index.postings_build import Array

# Passages from which two threads compress them.
_SHARED_COMPRESSION = 256
# Level 3: the bench corpus's text, a passage to a block, in 43.0% of its size, a block
# decoded in 1.8-2.0 us; level 1 gave 44.7% and 2.0-2.5 us, level 5 43.3% at twice the
# time to compress (10^5 bench passages, 32 KiB dictionary).
_LEVEL = 3
# The dictionary: at most this size, an eighth of the text at most, none under 1 KiB (a
# text under 8 KiB is stored without one); trained on at most _SAMPLES passages spread over
# the text, with COVER's segment and d-mer sizes fixed (its search for them took 5 s).
_DICTIONARY_SIZE = 32 << 10
_DICTIONARY_LEAST = 1 << 10
_SAMPLES = 1000
_COVER = {"k": 1024, "d": 8}
# What a frame's header says of its size (-1: nothing), and the error of a frame that does
# not decode: for the compiled reader too (index/_reads.c).
FRAME_SIZE = zstandard.frame_content_size
DecodeError = zstandard.ZstdError


class BlockError(ValueError):
    """A text block that does not decode to the size its passages say."""


def compress_blocks(blob: bytes, ptr: Array) -> tuple[Array, Array, Array]:
    """Each passage of the text (passage i is blob[ptr[i]:ptr[i + 1]]) compressed alone,
    where each block starts, and the dictionary they were compressed with (empty: none)."""
    # Bounds, not a list of (start, end) pairs: a million tuples living through a build
    # make the garbage collector's passes over everything else longer.
    bounds = ptr.tolist()
    blocks = len(bounds) - 1
    dictionary = _trained(blob, bounds)
    if blocks < _SHARED_COMPRESSION:
        parts = _compressed(blob, bounds, dictionary)
    else:
        # zstandard lets go of the GIL: a second thread compresses the second half, so a
        # build whose scoring is done gets both cores for what is left.
        half = blocks // 2
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(_compressed, blob, bounds[half:], dictionary)
            parts = _compressed(blob, bounds[: half + 1], dictionary) + second.result()
    sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    packed = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return packed, starts, np.frombuffer(dictionary, dtype=np.uint8)


def _trained(blob: bytes, bounds: list[int]) -> bytes:
    """A dictionary for the blocks of `blob` between `bounds` (b"" for a text too small
    to pay for one)."""
    size = min(_DICTIONARY_SIZE, len(blob) // 8)
    if size < _DICTIONARY_LEAST:
        return b""
    step = max(1, (len(bounds) - 1) // _SAMPLES)
    samples: list[bytes | bytearray | memoryview] = [
        blob[bounds[b] : bounds[b + 1]] for b in range(0, len(bounds) - 1, step)
    ]
    try:  # deterministic: the same text gives the same dictionary (tests check it)
        return zstandard.train_dictionary(size, samples, level=_LEVEL, **_COVER).as_bytes()
    except zstandard.ZstdError:  # too few samples to learn from: none
        return b""


def _compressed(blob: bytes, bounds: list[int], dictionary: bytes) -> list[bytes]:
    """The blocks of `blob` between `bounds`, each compressed (a compressor of its own:
    each thread calls this with its half)."""
    pack = zstandard.ZstdCompressor(
        level=_LEVEL,
        dict_data=zstandard.ZstdCompressionDict(dictionary) if dictionary else None,
        write_checksum=False,
        write_content_size=True,
        write_dict_id=False,
    ).compress
    view = memoryview(blob)
    return [pack(view[a:b]) for a, b in itertools.pairwise(bounds)]


class BlockReader:
    """Decodes the text blocks of one file, with its dictionary (b"": none).

    A decompressor holds a context (17 µs to make) that threads may not share: one a thread.
    """

    def __init__(self, dictionary: bytes = b"") -> None:
        self._dictionary = dictionary
        self._local = threading.local()

    def inflater(self) -> Callable[..., bytes]:
        """This thread's decompress (`(packed)`), made on first need;
        BlockError when the dictionary is not one."""
        inflate = getattr(self._local, "inflate", None)
        if inflate is None:
            known = self._dictionary
            try:
                words = zstandard.ZstdCompressionDict(known) if known else None
                inflate = zstandard.ZstdDecompressor(dict_data=words).decompress
            except DecodeError as exc:
                raise BlockError(f"it does not decompress ({exc})") from exc
            self._local.inflate = inflate
        return inflate

    def decompress(self, packed: bytes | memoryview, size: int) -> bytes:
        """The `size` bytes of one block; BlockError when it decodes to anything else (or
        the dictionary is not one)."""
        inflate = self.inflater()
        try:
            # A frame declaring no size or another (a build writes the passage's) is not
            # decoded: its header never decides what is allocated.
            if FRAME_SIZE(packed) != size:
                raise BlockError("its frame declares another size")
            raw = inflate(packed)  # at most the declared size: the pointers' own
        except DecodeError as exc:
            raise BlockError(f"it does not decompress ({exc})") from exc
        if len(raw) != size:
            raise BlockError("it has the wrong length")
        return raw
