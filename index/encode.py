"""Texts to term ids for the numpy engine, tokenised in worker processes for large builds.

Each worker tokenises a chunk of texts with the one tokenizer and sends back a
compact result (the chunk's own vocabulary, its token ids and lengths as raw
bytes), never the token lists themselves: merging is numpy work, so the parent
does not become the bottleneck. Small inputs are tokenised in-process.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from array import array
from collections.abc import Sequence
from functools import partial
from itertools import chain

import numpy as np

from index.aliases import Aliases
from index.engine_numpy import Array, finish_forward
from index.tokenize import match_terms, word_matches

# Below this many texts, starting worker processes costs more than it saves.
PARALLEL_FROM = 20_000
_CHUNK = 5_000

Chunk = tuple[list[str], bytes, bytes]


class _Ids(dict[str, int]):
    """Term -> id in first-seen order; a miss assigns the next id (a C-speed hit path)."""

    def __missing__(self, term: str) -> int:
        self[term] = n = len(self)
        return n


class _MatchIds(dict[str, tuple[int, ...]]):
    """A word match -> the term ids of its stems (or, `joined`, of its joined form)."""

    def __init__(self, vocab: _Ids, joined: bool) -> None:
        super().__init__()
        self.vocab, self.part = vocab, int(joined)

    def __missing__(self, match: str) -> tuple[int, ...]:
        ids = self[match] = tuple(map(self.vocab.__getitem__, match_terms(match)[self.part]))
        return ids


def _encode_chunk(texts: Sequence[str], aliases: list[list[str]]) -> Chunk:
    """One chunk: its vocabulary (first-seen order), token ids (uint32), lengths (int64)."""
    vocab = _Ids()
    ids = array("I")
    lengths = array("q")
    if aliases:
        index_terms = Aliases(aliases).index_terms
        for text in texts:
            tokens = index_terms(text)
            ids.extend(map(vocab.__getitem__, tokens))
            lengths.append(len(tokens))
        return list(vocab), ids.tobytes(), lengths.tobytes()
    # Without alias groups, tokens are tokenize()'s, mapped to ids once per distinct word
    # match: a dict hit a word, the loop in C. (2x faster than tokenize, then ids.)
    # (A list, not the array: array.extend takes an iterator item by item, 10x slower.)
    stems, joined = _MatchIds(vocab, False), _MatchIds(vocab, True)
    out: list[int] = []
    before = 0
    for text in texts:
        matches = word_matches(text)
        out.extend(chain.from_iterable(map(stems.__getitem__, matches)))
        if "-" in text or not text.isascii():  # a dash may be one after normalising
            out.extend(chain.from_iterable(joined[m] for m in matches if "-" in m))
        lengths.append(len(out) - before)
        before = len(out)
    return list(vocab), np.array(out, dtype=np.uint32).tobytes(), lengths.tobytes()


def _die_with(parent: int) -> None:
    """Worker initializer: exit when the building process ends, however it ends (kill -9
    included), and leave Ctrl-C to it, which stops the whole pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # A pidfd becomes readable when the process ends, even as an unreaped zombie.
        watch: int | None = os.pidfd_open(parent)
    except (AttributeError, OSError):  # not Linux >= 5.3
        watch = None
    threading.Thread(target=_exit_after, args=(parent, watch), daemon=True).start()


def _exit_after(parent: int, watch: int | None) -> None:
    """Block until `parent` has ended, then end this worker at once."""
    if watch is not None:
        select.select([watch], [], [])
    else:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
    os._exit(1)


def _in_workers(chunks: list[Sequence[str]], aliases: list[list[str]], workers: int) -> list[Chunk]:
    """Each chunk encoded in a pool of worker processes, in order."""
    # Imported here: `briefbot ask` never needs it, and it costs start-up time.
    import multiprocessing

    # forkserver: safe when the caller has threads (the bot builds in a thread). A Pool,
    # not a ProcessPoolExecutor: leaving its block on an error or Ctrl-C terminates the
    # workers at once, where the executor would first finish every queued chunk.
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers, initializer=_die_with, initargs=(os.getpid(),)) as pool:
        return list(pool.imap(partial(_encode_chunk, aliases=aliases), chunks))


def encode_texts(
    texts: Sequence[str], aliases: list[list[str]], workers: int | None = None
) -> dict[str, Array]:
    """The forward index (`terms`, `doc_ptr`, `doc_terms`) of `texts`, tokenised and
    alias-annotated as `build_index` does, in the form encode_tokens gives."""
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    if len(texts) < PARALLEL_FROM or workers < 2:
        parts = [_encode_chunk(c, aliases) for c in chunks]
    else:
        parts = _in_workers(chunks, aliases, workers)
    vocab: dict[str, int] = {}
    ids: list[Array] = []
    lengths: list[Array] = [np.zeros(1, dtype=np.int64)]
    for names, raw_ids, raw_lengths in parts:
        local = np.array([vocab.setdefault(t, len(vocab)) for t in names], dtype=np.uint32)
        ids.append(local[np.frombuffer(raw_ids, dtype=np.uint32)])
        lengths.append(np.frombuffer(raw_lengths, dtype=np.int64))
    doc_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint32)
    return finish_forward(list(vocab), doc_ids, np.concatenate(lengths))
