"""A large library's compressed text blocks: each decodes to its passages, and a block that
was not written as the index writes it is refused before it can allocate or mislead."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
import zstandard

from index.mapped_check import TEXT_BLOCK
from index.text_blocks import BlockError, compress_blocks, decompress_block

TEXTS = [f"Passage {i} on the 1,350-kilometre border. ".encode() * (1 + i % 5) for i in range(40)]


def _blocks() -> list[tuple[bytes, bytes]]:
    """(packed, plain) of each block of TEXTS."""
    blob = b"".join(TEXTS)
    ptr = np.concatenate(([0], np.cumsum([len(t) for t in TEXTS]))).astype(np.int64)
    text, starts = compress_blocks(blob, ptr)
    plain = [b"".join(TEXTS[i : i + TEXT_BLOCK]) for i in range(0, len(TEXTS), TEXT_BLOCK)]
    packed = [text[a:b].tobytes() for a, b in itertools.pairwise(starts)]
    return list(zip(packed, plain, strict=True))


def test_each_block_decodes_to_its_passages_and_is_smaller():
    blocks = _blocks()
    assert len(blocks) == -(-len(TEXTS) // TEXT_BLOCK)
    for packed, plain in blocks:
        assert decompress_block(packed, len(plain)) == plain
        assert len(packed) < len(plain)


@pytest.mark.parametrize("size_change", [-1, 1])
def test_a_block_of_another_size_than_its_passages_is_refused(size_change):
    packed, plain = _blocks()[0]
    with pytest.raises(BlockError, match=r"wrong length|decompress"):
        decompress_block(packed, len(plain) + size_change)


def test_a_frame_declaring_a_huge_size_is_refused_before_it_is_decoded():
    # A damaged or hostile file's frame header must not decide what is allocated: this one
    # says 16 MiB (it could say terabytes) for a block whose passages hold 100 bytes.
    frame = zstandard.ZstdCompressor().compress(b"\0" * (1 << 24))
    assert zstandard.frame_content_size(frame) == 1 << 24
    with pytest.raises(BlockError, match="size"):
        decompress_block(frame, 100)


@pytest.mark.parametrize("junk", [b"", b"\0" * 64, b"not a frame at all", b"\x28\xb5\x2f\xfd"])
def test_bytes_that_are_not_a_frame_are_refused(junk):
    with pytest.raises(BlockError):
        decompress_block(junk, 50)


def test_a_truncated_block_is_refused():
    packed, plain = _blocks()[1]
    with pytest.raises(BlockError):
        decompress_block(packed[: len(packed) // 2], len(plain))


def test_threads_decode_at_once_each_with_its_own_decompressor():
    blocks = _blocks()
    wrong: list[int] = []

    def decode_all(n: int) -> None:
        for _ in range(200):
            for packed, plain in blocks:
                if decompress_block(packed, len(plain)) != plain:
                    wrong.append(n)

    threads = [threading.Thread(target=decode_all, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not wrong
