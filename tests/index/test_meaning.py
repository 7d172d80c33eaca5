"""The meaning model: offline, deterministic, and closer for paraphrases than for strangers."""

from __future__ import annotations

import socket
import sys

import numpy as np
import pytest

from index.meaning import load_model


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(model):
    question, paraphrase, stranger = model.embed(
        [
            "How is Kim copying his grandfather?",
            "Younger Kim has drawn on his grandfather\u2019s playbook.",
            "The rules of cricket are set by the Marylebone Cricket Club.",
        ]
    )
    assert paraphrase @ question > stranger @ question + 0.2


def test_vectors_are_unit_length_and_an_empty_text_is_zero(model):
    vectors = model.embed(["North Korea", ""])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1].any()
    assert model.embed([]).shape == (0, 256)


def test_loading_and_embedding_open_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the meaning model tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert load_model().embed(["Pyongyang"]).shape == (1, 256)


def test_the_wordllama_package_is_never_imported(model):
    # Its import calls logging.basicConfig, which would take over the bot's logging.
    model.embed(["a question"])
    assert "wordllama" not in sys.modules


def test_missing_model_files_say_what_is_wrong(tmp_path):
    with pytest.raises(OSError, match="cannot read the meaning model"):
        load_model(tmp_path)
