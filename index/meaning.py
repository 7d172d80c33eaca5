"""Meaning: how close a question is to each passage's closest sentence.

Sentence vectors come from the index when it was built with them (index/vectors.py);
a large library (above IndexSettings.vectors_up_to) gets them on first need, for the
candidates the words found, and keeps them in a bounded cache. The encoder is loaded
once per process (index/encoder.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.kept import Kept
from index.library import Library
from index.vectors import Embedder, Floats, sentences_of

# Passages whose made-on-demand sentence vectors are kept (about 8 KiB for 5 sentences).
VECTOR_CACHE = 4096
# A passage ranks by its closest sentence, blended with this share of the cosine to the
# mean of its sentences (the passage as a whole): on seed, holdout and dev3, recall@1
# 0.813 -> 0.853 (0.4 and 0.5 measured the same; 0.6 and more, or none, measured worse).
WHOLE_PASSAGE = 0.4

_lock = threading.Lock()
_encoders: dict[tuple[Path | None, Path], LazyEncoder] = {}


class EncoderUnavailable(Exception):
    """The encoder's files were refused when first needed (load_encoder logged why)."""


class LazyEncoder:
    """The sentence encoder, loaded on its first use: a build that fails before it embeds
    anything (no usable brief) never converts the weights into the data folder. Its model
    is the pinned one: any other file is refused (index/encoder_weights.py)."""

    dim = 384

    def __init__(self, model_dir: Path | None, cache_dir: Path) -> None:
        from index.encoder_weights import WEIGHTS_SHA256

        self.model_sha256 = WEIGHTS_SHA256
        self._where = (model_dir, cache_dir)
        self._loaded: list[Embedder | None] = []
        self._lock = threading.Lock()

    def _encoder(self) -> Embedder | None:
        with self._lock:
            if not self._loaded:
                from index.encoder import load_encoder

                self._loaded.append(load_encoder(*self._where))
            return self._loaded[0]

    def usable(self) -> bool:
        """Load the model now (if not yet); False when its files were refused."""
        return self._encoder() is not None

    def embed(self, texts: Sequence[str]) -> Floats:
        """One unit row per text; EncoderUnavailable when the model cannot be loaded (or
        its tokenizer.json, read when a build first needs it, is refused then)."""
        from index.encoder_weights import ModelFilesRefused

        encoder = self._encoder()
        if encoder is None:
            raise EncoderUnavailable()
        try:
            return encoder.embed(texts)
        except ModelFilesRefused as exc:
            raise EncoderUnavailable() from exc


def shared_encoder(model_dir: Path | None, cache_dir: Path) -> LazyEncoder:
    """The sentence encoder for these folders, one per process (loaded on first use)."""
    key = (model_dir, cache_dir)
    with _lock:
        if key not in _encoders:
            _encoders[key] = LazyEncoder(model_dir, cache_dir)
        return _encoders[key]


@dataclass(frozen=True)
class Closeness:
    """Per passage asked about: the cosine of its closest sentence, which sentence, and
    the score it ranks by (that cosine blended with the whole passage's)."""

    ids: list[int]
    cosines: npt.NDArray[np.float32]
    sentence: list[int]
    scores: npt.NDArray[np.float32]

    def best(self) -> float:
        """The highest sentence cosine (0 when nothing was compared)."""
        return float(self.cosines.max()) if len(self.cosines) else 0.0


class Meaning:
    """Sentence vectors of one library, and the encoder to place questions among them."""

    def __init__(self, library: Library, encoder: Embedder) -> None:
        self.encoder = encoder
        self._library = library
        stored = library.vectors
        usable = stored is not None and stored.model == encoder.model_sha256
        self._stored = stored if usable else None
        self._all: Floats | None = None  # the stored vectors as float32, made on first use
        self._made: Kept[int, Floats] = Kept(VECTOR_CACHE)

    @property
    def covers_all(self) -> bool:
        """True when every passage has a stored vector: a question can reach any passage."""
        return self._stored is not None

    def embed_question(self, text: str) -> Floats | None:
        """The question's unit vector; None when the encoder cannot be loaded (words alone)."""
        try:
            vector: Floats = self.encoder.embed([text])[0]
        except EncoderUnavailable:
            return None
        return vector

    def closeness(self, question: Floats, ids: Sequence[int] | None = None) -> Closeness:
        """How close each passage of `ids` (None: every passage, when stored) is in meaning."""
        if ids is None:
            if self._stored is None:
                raise ValueError("no stored vectors: name the passages")
            ids = range(len(self._stored))
            if self._all is None:
                self._all = self._stored.vectors.astype(np.float32)
            rows, owner = (
                self._all,
                np.repeat(np.arange(len(ids), dtype=np.int64), np.diff(self._stored.ptr)),
            )
        else:
            rows, owner = self._rows(ids)
        ids = list(ids)
        means = np.zeros((len(ids), rows.shape[1]), dtype=np.float32)
        np.add.at(means, owner, rows)
        norms = np.linalg.norm(means, axis=1)
        whole = (means @ question) / np.where(norms > 0, norms, 1)
        return _closest(ids, rows @ question, owner, whole.astype(np.float32))

    def sentence_cosines(self, question: Floats, i: int) -> Floats:
        """The cosine of each sentence of passage i to the question, in order."""
        rows, _ = self._rows([i])
        return rows @ question

    def _rows(self, ids: Sequence[int]) -> tuple[Floats, npt.NDArray[np.int64]]:
        """Sentence vectors of `ids` stacked, and the position in `ids` each row belongs to."""
        if self._stored is not None:
            return self._stored.rows(ids)
        blocks = [self._vectors_of(i) for i in ids]
        owner = np.repeat(np.arange(len(ids), dtype=np.int64), [len(b) for b in blocks])
        dim = self.encoder.dim
        return (np.concatenate(blocks) if blocks else np.zeros((0, dim), np.float32)), owner

    def _vectors_of(self, i: int) -> Floats:
        """Passage i's sentence vectors, made on first need and kept (bounded)."""
        vectors = self._made.get(i)
        if vectors is None:
            vectors = self.encoder.embed(sentences_of(self._library.passages[i].text))
            self._made.keep(i, vectors)
        return vectors


def _closest(
    ids: list[int], cosines: Floats, owner: npt.NDArray[np.int64], whole: Floats
) -> Closeness:
    """The best cosine and sentence number per passage, and its ranking score, from
    per-sentence cosines and each passage's cosine as a whole (`whole`)."""
    best = np.full(len(ids), -1.0, dtype=np.float32)
    np.maximum.at(best, owner, cosines.astype(np.float32))
    firsts = np.searchsorted(owner, np.arange(len(ids)))
    sentence = [0] * len(ids)
    # The first sentence reaching the best cosine, counted within its passage.
    for row in np.flatnonzero(cosines >= best[owner] - 1e-7)[::-1]:
        sentence[int(owner[row])] = int(row - firsts[owner[row]])
    best[best < -0.5] = 0.0  # a passage with no sentence
    return Closeness(ids, best, sentence, (1 - WHOLE_PASSAGE) * best + WHOLE_PASSAGE * whole)
