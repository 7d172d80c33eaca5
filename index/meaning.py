"""How close in meaning a question is to a sentence, for paraphrases that share no word
with the brief ("How is Kim copying his grandfather?" vs "…drawn on his grandfather's
playbook").

The model is WordLlama's bundled 256-dimension static embeddings (a token vector per
LLaMA-2 tokenizer piece; a text is the mean of its pieces). It needs no network and no
GPU and embeds a few hundred sentences in milliseconds. We read the two data files the
`wordllama` package ships and never import that package: its import configures the root
logger, and its own loader looks for the tokenizer in the wrong folder and then tries
to download it.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

PACKAGE = "wordllama"
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"

Vectors = npt.NDArray[np.float32]


class MeaningModel:
    """Unit vectors for texts: the normalised mean of their token embeddings."""

    def __init__(self, embedding: npt.NDArray[np.floating[Any]], tokenizer: object) -> None:
        self._embedding = embedding
        self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit row per text (zeros for a text with no tokens)."""
        # The tokenizer takes valid Unicode only; a lone surrogate becomes "?".
        valid = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        encoded = self._tokenizer.encode_batch(valid, add_special_tokens=False)  # type: ignore[attr-defined]
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encoded]
        counts = np.array([len(i) for i in ids], dtype=np.int64)
        out = np.zeros((len(texts), self._embedding.shape[1]), dtype=np.float32)
        if not counts.sum():
            return out
        # One gather and one segmented sum for the whole batch.
        flat = np.clip(np.concatenate(ids), 0, len(self._embedding) - 1)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        filled = counts > 0
        rows = self._embedding[flat].astype(np.float32)  # stored as float16: half the memory
        sums = np.add.reduceat(rows, starts[filled], axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[filled] = sums / np.where(norms > 0, norms, 1)
        return out


def data_folder() -> Path | None:
    """Where the `wordllama` package's files are, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def load_model(folder: Path | None = None) -> MeaningModel:
    """Read the embeddings and tokenizer; OSError or ValueError when they are unusable."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    folder = folder or data_folder()
    if folder is None:
        raise OSError(f"the {PACKAGE} package is not installed (pip install {PACKAGE})")
    try:
        with safe_open(str(folder / WEIGHTS), framework="np") as weights:
            embedding = weights.get_tensor("embedding.weight")
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
    except Exception as exc:  # safetensors and tokenizers raise their own types
        raise OSError(f"cannot read the meaning model in {folder}: {exc}") from exc
    if embedding.ndim != 2 or not embedding.shape[0]:
        raise ValueError(f"the meaning model in {folder} has no usable embeddings")
    return MeaningModel(embedding, tokenizer)


_lock = threading.Lock()
_loaded: list[MeaningModel | None] = []


def shared_model() -> MeaningModel | None:
    """The model, loaded once per process (the bot searches from several threads);
    None, with one warning, when it cannot be loaded: search then goes by words alone."""
    with _lock:
        if not _loaded:
            try:
                _loaded.append(load_model())
            except (OSError, ValueError) as exc:
                log.warning("Answering by words alone: %s", exc)
                _loaded.append(None)
        return _loaded[0]
