"""Kept: values kept up to a limit, the oldest forgotten first, reads moving nothing."""

from __future__ import annotations

from index.kept import Kept


def test_keeping_past_the_limit_forgets_the_oldest_only():
    kept: Kept[int, str] = Kept(3)
    for i in range(3):
        assert kept.keep(i, str(i)) == str(i)
    assert kept.get(0) == "0"  # a read does not make it newer
    kept.keep(3, "3")
    assert list(kept.items()) == [(1, "1"), (2, "2"), (3, "3")]
    kept.keep(4, "4")
    assert list(kept) == [2, 3, 4] and len(kept) == kept.limit


def test_keeping_a_kept_key_again_forgets_nothing_else():
    kept: Kept[str, int] = Kept(2)
    kept.keep("a", 1)
    kept.keep("b", 2)
    kept.keep("b", 3)  # at the limit, but b is kept: a stays
    assert dict(kept) == {"a": 1, "b": 3}
