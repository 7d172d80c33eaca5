"""The compiled key lookup (index/_lookups.c) answers as numpy's searchsorted and equality
do (sorted_keys._find_numpy): a term's id and a brief's position come from it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import sorted_keys
from index.sorted_keys import _find_numpy, sorted_finder

_lookups = pytest.importorskip("index._lookups")

# Bytes that matter to the order: NUL (the padding), low, high (unsigned) and a few letters.
ALPHABET = st.sampled_from([0, 1, 97, 98, 122, 127, 128, 200, 255])
KEY = st.lists(ALPHABET, max_size=7).map(bytes)


@settings(max_examples=300, deadline=None)
@given(st.lists(KEY, max_size=40), st.lists(KEY, max_size=20))
def test_find_agrees_with_numpy(items: list[bytes], asked: list[bytes]) -> None:
    keys = np.unique(np.array(items or [b""], dtype="S"))  # sorted bytewise, NUL-padded
    find = _lookups.Keys(keys).find
    for key in [*items, *asked, *(k + b"\0" for k in items)]:
        assert find(key) == _find_numpy(keys, key), key


def test_every_item_is_found_where_it_is() -> None:
    words = sorted({f"w{i * 7919 % 10007}".encode() for i in range(3000)})
    find = sorted_finder(np.array(words, dtype="S"))
    del words[-1]  # the finder holds its keys' buffer: the array it was given may go
    for i, word in enumerate(words):
        assert find(word) == i
        assert find(word + b"a") == _find_numpy(np.array(words, dtype="S"), word + b"a")
    assert find(b"") is None
    assert find(b"w" * 65) is None
    assert sorted_finder(np.array([], dtype="S4"))(b"w1") is None


def test_keys_refuse_what_is_not_a_key_and_are_made_once() -> None:
    find = _lookups.Keys(np.array([b"a", b"b"], dtype="S")).find
    with pytest.raises(TypeError):
        find("b")  # a str: keys are the bytes of the file
    with pytest.raises(TypeError):
        _lookups.Keys(np.array([b"a"], dtype="S"), order=1)
    with pytest.raises(ValueError, match="not given its keys"):
        _lookups.Keys.__new__(_lookups.Keys).find(b"a")


def test_other_arrays_are_refused_and_fall_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TypeError):
        _lookups.Keys(np.arange(4, dtype=np.int32))
    with pytest.raises(TypeError):
        _lookups.Keys(np.array([[b"a", b"b"]], dtype="S"))
    strided = np.array([b"a", b"x", b"b", b"x", b"c"], dtype="S")[::2]  # not contiguous
    assert sorted_finder(strided)(b"b") == 1
    assert sorted_finder(strided)(b"x") is None
    monkeypatch.setattr(sorted_keys, "_lookups", None)  # no compiler: numpy's path
    assert sorted_finder(np.array([b"a", b"b"], dtype="S"))(b"b") == 1
