"""index/_rounding.c's rounded(x, digits) is Python's round(x, digits), bit for bit: its
quick path where a float's rounding is certain, round itself everywhere else."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from index import rounding

_rounding = pytest.importorskip("index._rounding")
rounded = _rounding.rounded


def same(a: object, b: object) -> bool:
    """Equal, of one type, and for floats the same bits (-0.0 is not 0.0; NaN is NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


def near_ties(draw: st.DrawFn) -> float:
    """A float within a few units in the last place of a tie (n + 1/2) / 10**digits."""
    digits = draw(st.integers(0, 8))
    tie = (draw(st.integers(-(10**9), 10**9)) + 0.5) / 10**digits
    for _ in range(draw(st.integers(0, 4))):
        tie = math.nextafter(tie, draw(st.sampled_from([math.inf, -math.inf])))
    return tie


@settings(max_examples=3000, deadline=None)
@example(1.00005, 4)  # a tie that is not one in binary: 1.0000500000000001
@example(0.00005, 4)
@example(-0.00004, 4)  # -0.0
@example(2147483647.9999, 0)
@example(214748.36475, 4)  # past the quick path's bound once scaled
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(-100, 100),
        st.floats(-1e-3, 1e-3),
        st.composite(near_ties)(),
    ),
    st.integers(-3, 12),
)
def test_rounded_is_round_bit_for_bit(x, digits):
    assert same(rounded(x, digits), round(x, digits))


@pytest.mark.parametrize(
    ("x", "digits"),
    [(7, 2), (True, 1), (np.float64(0.123456), 4), (2.5, None), (0.5, 2**70), (1.5, -(2**70))],
)
def test_other_numbers_and_digits_are_rounds_own(x, digits):
    assert same(rounded(x, digits), round(x, digits))
    assert same(rounded(x), round(x))  # type: ignore[call-arg]


def test_what_round_refuses_rounded_refuses_alike():
    for args in [("1.5", 1), (1.5, "1"), (1.5, 1, 2), ()]:
        with pytest.raises(TypeError):
            round(*args)
        with pytest.raises(TypeError):
            rounded(*args)


def test_the_search_rounds_with_it():
    assert rounding.rounded is rounded
