"""Sentence meaning vectors of a library's passages, made when the index is built.

Stored beside the passages in both index formats (float16: half the bytes, and cosines
still agree with float32 to about 1e-3), one row per sentence (index/sentences.py), and
recorded with the model's sha256 so that another model makes them again.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.sentences import sentence_spans

Floats = npt.NDArray[np.float32]
# Sentences embedded per encoder call while building: progress is reported between calls.
# Enough for several forward batches per call, which the encoder runs on both cores.
BATCH_SENTENCES = 1024


class Embedder(Protocol):
    """What vectors need of a sentence encoder (index/encoder.py)."""

    model_sha256: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Floats:
        """One unit row per text."""
        ...

    def usable(self) -> bool:
        """True when `embed` can work (a lazy encoder loads its model to tell)."""
        ...


@dataclass(frozen=True)
class Progress:
    """How far an embedding run is: passages done of all, and the rate so far."""

    done: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        """Passages per second so far."""
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def left_seconds(self) -> float:
        """Estimated seconds to go at the rate so far."""
        return (self.total - self.done) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class SentenceVectors:
    """Rows `vectors[ptr[i]:ptr[i+1]]` are the sentences of passage i, in order."""

    model: str
    ptr: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float16]

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def of(self, i: int) -> Floats:
        """The sentence vectors of passage i, as float32."""
        return self.vectors[int(self.ptr[i]) : int(self.ptr[i + 1])].astype(np.float32)

    def rows(self, ids: Sequence[int]) -> tuple[Floats, npt.NDArray[np.int64]]:
        """The sentence vectors of the passages `ids`, stacked, and for each row its
        position in `ids` (so a max per passage is one np.maximum.at)."""
        starts, ends = self.ptr[list(ids)], self.ptr[np.asarray(ids, dtype=np.int64) + 1]
        counts = ends - starts
        owner = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
        index = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        return self.vectors[index.astype(np.int64)].astype(np.float32), owner


def vectors_to_json(vectors: SentenceVectors) -> dict[str, object]:
    """The vectors as a JSON object: the model, the row counts, and the float16 bytes."""
    return {
        "model": vectors.model,
        "counts": np.diff(vectors.ptr).tolist(),
        "dim": int(vectors.vectors.shape[1]),
        "data": base64.b64encode(vectors.vectors.astype("<f2").tobytes()).decode("ascii"),
    }


def vectors_from_json(data: object, passages: int) -> SentenceVectors:
    """Vectors read back from `vectors_to_json`; ValueError (or KeyError, TypeError) when
    they do not fit `passages` passages."""
    if not isinstance(data, dict):
        raise TypeError("vectors must be an object")
    counts = np.asarray(data["counts"], dtype=np.int64)
    dim, model = data["dim"], data["model"]
    if not isinstance(dim, int) or not isinstance(model, str) or not 0 < dim <= 4096:
        raise ValueError("vectors have a bad model or dimension")
    if counts.shape != (passages,) or (counts < 0).any():
        raise ValueError("vectors do not match the passages")
    raw = base64.b64decode(data["data"], validate=True)
    flat = np.frombuffer(raw, dtype="<f2")
    if flat.size != int(counts.sum()) * dim:
        raise ValueError("vectors have the wrong size")
    ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return SentenceVectors(model, ptr, flat.reshape(-1, dim).astype(np.float16))


def sentences_of(text: str) -> list[str]:
    """The sentences of a passage, as embedded (the whole text when it has no boundary)."""
    return [text[s:e] for s, e in sentence_spans(text)] or [text]


def embed_passages(
    encoder: Embedder,
    texts: Sequence[str],
    progress: Callable[[Progress], None] | None = None,
) -> SentenceVectors:
    """Vectors for every sentence of `texts`, reporting progress between batches."""
    counts = [0] * len(texts)
    parts: list[Floats] = []
    started = time.perf_counter()
    batch: list[str] = []
    done = 0
    for i, text in enumerate(texts):
        sentences = sentences_of(text)
        counts[i] = len(sentences)
        batch.extend(sentences)
        if len(batch) >= BATCH_SENTENCES or i == len(texts) - 1:
            parts.append(encoder.embed(batch))
            batch, done = [], i + 1
            if progress is not None:
                progress(Progress(done, len(texts), time.perf_counter() - started))
    vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dim), np.float32)
    ptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return SentenceVectors(encoder.model_sha256, ptr, vectors.astype(np.float16))


def merged(
    previous: SentenceVectors | None, origin: Sequence[int], fresh: SentenceVectors
) -> SentenceVectors:
    """Vectors for a refreshed library: passage i's are `previous`'s row origin[i] when it
    was reused (origin >= 0), else the next of `fresh`'s (in order)."""
    blocks: list[npt.NDArray[np.float16]] = []
    counts: list[int] = []
    new = 0
    for o in origin:
        source, at = (previous, o) if o >= 0 and previous is not None else (fresh, new)
        if o < 0 or previous is None:
            new += 1
        start, end = int(source.ptr[at]), int(source.ptr[at + 1])
        blocks.append(source.vectors[start:end])
        counts.append(end - start)
    dim = fresh.vectors.shape[1]
    vectors = np.concatenate(blocks) if blocks else np.zeros((0, dim), np.float16)
    return SentenceVectors(
        fresh.model, np.concatenate(([0], np.cumsum(counts))).astype(np.int64), vectors
    )
