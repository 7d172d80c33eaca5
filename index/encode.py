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
import sys
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from index.aliases import Aliases
from index.postings_build import Array, term_order
from index.tokenize import match_terms, normalize, piece_terms, word_matches

_encode: ModuleType | None
try:  # the compiled piece lookup (setup.py); without it, the same entries from a dict
    import index._encode as _encode
except ImportError:  # pragma: no cover - only where no C compiler was found at install
    _encode = None

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import SynchronizedArray

# Below this many texts, starting worker processes costs more than it saves.
PARALLEL_FROM = 20_000
_CHUNK = 5_000

# A chunk's result: its encoder's key, how many of that encoder's terms earlier results
# named, the terms new in this chunk, token ids (uint32 in the encoder's numbering) and
# each text's token count (int64), as raw bytes.
Chunk = tuple[str, int, list[str], bytes, bytes]


class _Ids(dict[str, int]):
    """Term -> id in first-seen order; a miss assigns the next id (a C-speed hit path)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __missing__(self, term: str) -> int:
        self[term] = n = len(self)
        self.names.append(term)
        return n


class _Entries(dict[str, int]):
    """A piece of text -> its entry: the run of term ids its terms are (`Encoder.ptr`)."""

    def __init__(self, encoder: _Encoder, terms_of: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self.encoder, self.terms_of = encoder, terms_of

    def __missing__(self, piece: str) -> int:
        self[piece] = n = self.new(piece)
        return n

    def new(self, piece: str) -> int:
        """A new entry for `piece`, not remembered here: the compiled lookup remembers its
        pieces itself, and keeping 160,000 in a dict it never asks again cost a tenth of
        the encoding."""
        encoder = self.encoder
        encoder.terms.extend([encoder.vocab[t] for t in self.terms_of(piece)])
        encoder.ptr.append(len(encoder.terms))
        return len(encoder.ptr) - 2


class _Encoder:
    """Texts to term ids, its vocabulary and caches kept from chunk to chunk (most pieces of
    a chunk were seen in earlier ones): one per worker process, or per in-process build."""

    def __init__(self) -> None:
        self.key = f"{os.getpid()}:{id(self)}"
        self.vocab = _Ids()
        self.sent = 0  # terms named by earlier results
        self.ptr = array("q", [0])  # entry e's term ids: terms[ptr[e] : ptr[e + 1]]
        self.terms = array("I")
        # ASCII texts by whitespace pieces (piece_terms), others by normalised word matches.
        self.pieces = _Entries(self, lambda p: piece_terms(p)[0])
        self.joined = _Entries(self, lambda p: piece_terms(p)[1])
        self.matches = _Entries(self, lambda m: match_terms(m)[0])
        self.match_joined = _Entries(self, lambda m: match_terms(m)[1])
        self.cache = _encode.Cache() if _encode is not None else None  # pieces seen, in C

    def chunk(self, texts: Sequence[str], aliases: list[list[str]]) -> Chunk:
        """One chunk's tokens as ids, with the terms it added to the vocabulary."""
        first = self.sent
        ids, lengths = self._annotated(texts, aliases) if aliases else self._plain(texts)
        self.sent = len(self.vocab.names)
        return self.key, first, self.vocab.names[first:], ids.tobytes(), lengths.tobytes()

    def _annotated(self, texts: Sequence[str], aliases: list[list[str]]) -> tuple[Array, Array]:
        """With alias groups: each text's Aliases.index_terms, as build_index has them."""
        index_terms = Aliases(aliases).index_terms
        ids = array("I")
        lengths = array("q")
        for text in texts:
            tokens = index_terms(text)
            ids.extend([self.vocab[t] for t in tokens])
            lengths.append(len(tokens))
        return np.frombuffer(ids, dtype=np.uint32), np.frombuffer(lengths, dtype=np.int64)

    def _plain(self, texts: Sequence[str]) -> tuple[Array, Array]:
        """tokenize()'s tokens as ids: one lookup per whitespace piece of an ASCII text
        (index/_encode.c, or a dict hit); the pieces' entries then expand to term ids."""
        if _encode is not None:
            texts = [t if t.isascii() else _ascii_form(t) for t in texts]
            raw, sizes = _encode.entries(
                self.cache, texts, self.pieces.new, self.joined.new, self._other
            )
            entries = np.frombuffer(raw, dtype=np.uint32)
            return self._expand(entries, np.frombuffer(sizes, dtype=np.int64))
        pieces, joined = self.pieces.__getitem__, self.joined
        out: list[int] = []
        counts = array("q")
        for text in texts:
            before = len(out)
            if text.isascii():
                words = text.split()
                out.extend(map(pieces, words))
                if "-" in text:
                    out.extend([joined[w] for w in words if "-" in w])
            else:
                out.extend(self._other(text))
            counts.append(len(out) - before)
        entries = np.frombuffer(array("I", out), dtype=np.uint32)
        return self._expand(entries, np.frombuffer(counts, dtype=np.int64))

    def _other(self, text: str) -> list[int]:
        """A non-ASCII text's entries: normalising may change anything, so the word
        matches of the normalised text, then the joined forms of hyphenated ones."""
        matches = word_matches(text)
        found = list(map(self.matches.__getitem__, matches))
        found += [self.match_joined[m] for m in matches if "-" in m]
        return found

    def _expand(self, entries: Array, counts: Array) -> tuple[Array, Array]:
        """Entries to their term ids, in order; each text's token count."""
        ptr = np.array(self.ptr, dtype=np.int64)
        start = ptr[entries]
        size = ptr[entries + 1] - start
        ends = np.cumsum(size)
        if not (size != 1).any():
            ids = np.array(self.terms, dtype=np.uint32)[start]  # one term a piece: no gaps
        else:
            step = np.repeat(start - (ends - size), size) + np.arange(ends[-1], dtype=np.int64)
            ids = np.array(self.terms, dtype=np.uint32)[step]
        bounds = np.cumsum(counts)
        totals = np.concatenate(([0], ends))[np.concatenate(([0], bounds))]
        return ids, np.diff(totals)


def _ascii_form(text: str) -> str:
    """`text` normalised, when that is ASCII text with the same tokens (curly quotes and
    dashes fold to ASCII): then its words go by the compiled lookup too. tokenize(text)
    reads normalize(text); so does tokenize() of the normal form, when normalising it again
    changes nothing (fullwidth digits and comma become `1,350` only after NFKC, and would
    lose the comma the second time)."""
    normal = normalize(text)
    return normal if normal.isascii() and normalize(normal) == normal else text


class _Numbered(list[str]):
    """A chunk of texts that knows its place: whoever claims it first encodes it."""

    def __init__(self, texts: Sequence[str], number: int) -> None:
        super().__init__(texts)
        self.number = number


# This process's (or thread's) encoder, and the flags of chunks taken in a shared build:
# a worker's are set by its initializer, the building thread's while it encodes too.
_LOCAL = threading.local()


def _encode_chunk(texts: Sequence[str], aliases: list[list[str]]) -> Chunk | None:
    """One chunk by this process's encoder (a new one if none), or None when another
    process of the build has already claimed it."""
    claimed = getattr(_LOCAL, "claimed", None)
    number = getattr(texts, "number", None)
    if claimed is not None and number is not None:
        with claimed.get_lock():
            if claimed[number]:
                return None
            claimed[number] = 1
    return (getattr(_LOCAL, "encoder", None) or _Encoder()).chunk(texts, aliases)


def _start_worker(parent: int, claimed: SynchronizedArray[int]) -> None:
    """Worker initializer: an encoder for its chunks, the shared claims, an end with `parent`."""
    _LOCAL.encoder, _LOCAL.claimed = _Encoder(), claimed
    _die_with(parent)


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


def _workers_can_start() -> bool:
    """False when the caller's __main__ names a file that is not there (a script read on
    stdin: `<stdin>`). forkserver's workers import __main__ from its file: theirs would die
    at start, again and again, and the build would wait for them forever."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is None or os.path.exists(path)


def _in_workers(chunks: list[Sequence[str]], aliases: list[list[str]], workers: int) -> list[Chunk]:
    """Each chunk encoded by a pool of `workers - 1` processes taking chunks from the front
    and this one taking them from the back, until they meet: in order."""
    # Imported here: `briefbot ask` never needs it, and it costs start-up time.
    import multiprocessing

    # forkserver: safe when the caller has threads (the bot builds in a thread). A Pool,
    # not a ProcessPoolExecutor: leaving its block on an error or Ctrl-C terminates the
    # workers at once, where the executor would first finish every queued chunk.
    context = multiprocessing.get_context("forkserver")
    claimed = context.Array("b", len(chunks))
    numbered = [_Numbered(c, i) for i, c in enumerate(chunks)]
    initargs = (os.getpid(), claimed)
    with context.Pool(workers - 1, initializer=_start_worker, initargs=initargs) as pool:
        theirs = pool.imap(partial(_encode_chunk, aliases=aliases), numbered)
        # This process works too (it would only wait), from the back: no core is left idle
        # while the workers start, and a worker slowed by other load takes fewer chunks.
        mine: dict[int, Chunk] = {}
        _LOCAL.encoder, _LOCAL.claimed = _Encoder(), claimed
        try:
            for chunk in reversed(numbered):
                done = _encode_chunk(chunk, aliases)
                if done is None:
                    break
                mine[chunk.number] = done
        finally:
            del _LOCAL.encoder, _LOCAL.claimed
        return [mine[i] if got is None else got for i, got in enumerate(theirs)]


def encode_texts(
    texts: Sequence[str], aliases: list[list[str]], workers: int | None = None
) -> dict[str, Array]:
    """The forward index (`terms`, `doc_ptr`, `doc_terms`) of `texts`, tokenised and
    alias-annotated as `build_index` does, in the form encode_tokens gives."""
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    if len(texts) < PARALLEL_FROM or workers < 2 or not _workers_can_start():
        encoder = _Encoder()
        parts = [encoder.chunk(c, aliases) for c in chunks]
    else:
        parts = _in_workers(chunks, aliases, workers)
    return _merge(parts)


def _merge(parts: list[Chunk]) -> dict[str, Array]:
    """The chunks' ids renumbered into one vocabulary (sorted bytewise): the forward index."""
    names: dict[str, list[str]] = {}
    # In the order each encoder made them (a chunk adding no terms shares its `first`).
    for key, first, new, _, _ in sorted(parts, key=lambda p: (p[0], p[1], len(p[2]))):
        known = names.setdefault(key, [])
        if first != len(known):
            raise RuntimeError(f"encoder {key}: terms from {len(known)} missing")
        known.extend(new)
    vocab: dict[str, int] = {}
    local = {
        key: np.array([vocab.setdefault(t, len(vocab)) for t in terms], dtype=np.uint32)
        for key, terms in names.items()
    }
    terms, rank = term_order(list(vocab))
    mapping = {key: rank[ids] for key, ids in local.items()}
    ids = [mapping[key][np.frombuffer(raw, dtype=np.uint32)] for key, _, _, raw, _ in parts]
    lengths = [np.zeros(1, dtype=np.int64)]
    lengths += [np.frombuffer(raw, dtype=np.int64) for *_, raw in parts]
    return {
        "terms": terms,
        "doc_ptr": np.cumsum(np.concatenate(lengths), dtype=np.int64),
        "doc_terms": np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint32),
    }
