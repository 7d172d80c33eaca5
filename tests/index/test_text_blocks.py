"""A large library's compressed text blocks: each decodes to its passages, and a block that
was not written as the index writes it is refused before it can allocate or mislead."""

from __future__ import annotations

import contextlib
import functools
import itertools
import threading

import numpy as np
import pytest
import zstandard

from index.text_blocks import BlockError, BlockReader, compress_blocks

TEXTS = [f"Passage {i} on the 1,350-kilometre border. ".encode() * (1 + i % 5) for i in range(200)]
# A text too small to pay for a dictionary.
FEW = TEXTS[:40]


def _compressed(texts: list[bytes]) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """(packed, plain) of each passage of `texts` (a block each), and the dictionary."""
    blob = b"".join(texts)
    ptr = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
    text, starts, dictionary = compress_blocks(blob, ptr)
    packed = [text[a:b].tobytes() for a, b in itertools.pairwise(starts)]
    return list(zip(packed, texts, strict=True)), dictionary.tobytes()


@functools.cache
def _texts_compressed() -> tuple[list[tuple[bytes, bytes]], bytes]:
    """TEXTS compressed once, for the tests that only read its blocks and dictionary."""
    return _compressed(TEXTS)


def _blocks() -> list[tuple[bytes, bytes]]:
    return _texts_compressed()[0]


def decompress_block(packed: bytes, size: int) -> bytes:
    return BlockReader(_texts_compressed()[1]).decompress(packed, size)


@pytest.mark.parametrize("texts", [TEXTS, FEW], ids=["with a dictionary", "without"])
def test_each_block_decodes_to_its_passages_and_all_are_smaller(texts):
    blocks, dictionary = _compressed(texts)
    assert len(blocks) == len(texts)
    assert bool(dictionary) == (texts is TEXTS)
    reader = BlockReader(dictionary)
    for packed, plain in blocks:
        assert reader.decompress(packed, len(plain)) == plain
    assert sum(len(p) for p, _ in blocks) + len(dictionary) < len(b"".join(texts))


def test_the_same_text_gets_the_same_dictionary_and_blocks():
    assert _compressed(TEXTS) == _compressed(list(TEXTS))


def test_a_block_needs_its_dictionary():
    (packed, plain), *_ = _blocks()
    with pytest.raises(BlockError):
        assert BlockReader().decompress(packed, len(plain)) == plain
    # Frames name no dictionary: another one may decode a block to other text of its size,
    # which the passage's checksum then refuses (test_integrity), but never to its own.
    other = _compressed([t.replace(b"border", b"bridge") for t in TEXTS])[1]
    with contextlib.suppress(BlockError):
        assert BlockReader(other).decompress(packed, len(plain)) != plain


@pytest.mark.parametrize("damage", [lambda d: d[:100], lambda d: d[:8] + bytes(len(d) - 8)])
def test_a_damaged_dictionary_is_refused_not_raised(damage):
    (packed, plain), *_ = _blocks()
    reader = BlockReader(damage(_texts_compressed()[1]))
    with pytest.raises(BlockError):
        assert reader.decompress(packed, len(plain)) == plain


def test_each_frame_declares_its_blocks_size():
    # So that a read decodes it in one call, once the size is the one its passages give.
    assert all(zstandard.frame_content_size(p) == len(plain) for p, plain in _blocks())


@pytest.mark.parametrize("size_change", [-1, 1])
def test_a_block_of_another_size_than_its_passage_is_refused(size_change):
    packed, plain = _blocks()[0]
    with pytest.raises(BlockError, match="declares another size"):
        decompress_block(packed, len(plain) + size_change)


def test_a_frame_declaring_no_size_is_refused_even_at_the_right_one():
    # briefbot writes every frame with its size (format 10 on): one without is not read,
    # as its decode could not be bounded by what its header says.
    plain = _blocks()[0][1]
    words = zstandard.ZstdCompressionDict(_texts_compressed()[1])
    unsized = zstandard.ZstdCompressor(
        level=3, dict_data=words, write_content_size=False, write_dict_id=False
    ).compress(plain)
    assert zstandard.frame_content_size(unsized) == -1
    assert zstandard.ZstdDecompressor(dict_data=words).decompress(unsized, len(plain)) == plain
    with pytest.raises(BlockError, match="declares another size"):
        decompress_block(unsized, len(plain))


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
    blocks, dictionary = _texts_compressed()
    reader = BlockReader(dictionary)
    wrong: list[int] = []

    def decode_all(n: int) -> None:
        for _ in range(40):
            for packed, plain in blocks:
                if reader.decompress(packed, len(plain)) != plain:
                    wrong.append(n)

    threads = [threading.Thread(target=decode_all, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not wrong
