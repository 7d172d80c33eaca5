"""A large library's passage text, compressed in blocks of TEXT_BLOCK passages (zstandard),
with a dictionary trained on the library's own text.

A search decodes about ten blocks (its leading candidates' phrases and the passages it
shows), so decoding is on every question's path, and its time grows with the block: at
level 1, a block of 8 bench passages takes 6.3 µs, one of 2 with a dictionary 2.7 µs.
Without one, small blocks compress badly (2 passages: 14% larger than 8); with a 32 KiB
dictionary trained on the library's blocks (0.012 s for 1,000 samples at fixed COVER
parameters; 5,000 gave a text 0.3% smaller in 0.056 s), the bench's 10^5-passage file is
as large as with blocks of 8, and its whole search 6% faster.

A frame carries its content size, and a block is decoded only once the size it declares is
the one the passage pointers give: a size read from a damaged file's frame header never
decides how much is allocated. Knowing it, zstandard decodes the frame in one call (2.45
against 3.15 µs a bench block). A frame declaring none, as earlier versions wrote them, is
streamed into a buffer of at most the pointers' size, so their files still read.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import zstandard

from index.mapped_check import TEXT_BLOCK
from index.postings_build import Array

# Text blocks from which two threads compress them.
_SHARED_COMPRESSION = 256
# Level 1: the bench corpus's text in 42% of its size; level 3 gave 43%, at more time.
_LEVEL = 1
# The dictionary: at most this size, an eighth of the text at most, none under 1 KiB (a
# text under 8 KiB is stored without one); trained on at most _SAMPLES blocks spread over
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
    """The text compressed in blocks of TEXT_BLOCK passages, where each block starts, and
    the dictionary they were compressed with (empty: none)."""
    # Block b is blob[bounds[b]:bounds[b + 1]]. Bounds, not a list of (start, end) pairs:
    # half a million tuples living through a build make the garbage collector's passes
    # over everything else longer (the blocks of 2 of 10^6 passages: +0.16 s).
    bounds = ptr[::TEXT_BLOCK].tolist() + ([int(ptr[-1])] if (len(ptr) - 1) % TEXT_BLOCK else [])
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
        """This thread's decompress (`(packed, max_output_size=n)`), made on first need;
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
            declared = FRAME_SIZE(packed)
            if declared == size:
                raw = inflate(packed)  # at most the declared size: the pointers' own
            elif declared == -1:  # a frame of an older build: never more than the block holds
                raw = inflate(packed, max_output_size=size + 1)
            else:  # not a frame this block's passages were written in
                raise BlockError("its frame declares another size")
        except DecodeError as exc:
            raise BlockError(f"it does not decompress ({exc})") from exc
        if len(raw) != size:
            raise BlockError("it has the wrong length")
        return raw
