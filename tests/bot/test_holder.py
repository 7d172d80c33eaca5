"""IndexHolder, the per-user cooldown and the button memo, without Discord."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.holder import Cooldowns, IndexHolder, Memo, Pending


def test_swap_returns_the_old_library(seed_library, seed_searcher):
    holder = IndexHolder(seed_searcher)
    other = replace(seed_library, built_at="later")
    assert holder.swap(other) is seed_library
    assert holder.library is other and holder.current.library is other
    # The search settings stay with the holder across swaps.
    assert holder.current.settings is seed_searcher.settings


def test_cooldown_allows_uses_then_says_how_long_to_wait():
    cool = Cooldowns(uses=2, seconds=10)
    assert cool.retry_after(1, now=0.0) == 0
    assert cool.retry_after(1, now=1.0) == 0
    assert cool.retry_after(1, now=2.0) == pytest.approx(8.0)
    assert cool.retry_after(2, now=2.0) == 0  # other users are not affected
    assert cool.retry_after(1, now=10.5) == 0  # the first use has left the window


def test_cooldown_zero_seconds_is_off():
    cool = Cooldowns(uses=1, seconds=0)
    assert all(cool.retry_after(1, now=0.0) == 0 for _ in range(10))


def test_cooldown_table_is_bounded():
    cool = Cooldowns(uses=1, seconds=60, max_users=3)
    for user in range(10):
        cool.retry_after(user, now=0.0)
    assert cool.retry_after(0, now=1.0) == 0  # forgotten, so allowed again
    assert cool.retry_after(9, now=1.0) > 0


def test_memo_keys_fit_a_custom_id_and_old_ones_are_forgotten():
    memo = Memo(size=2)
    keys = [memo.put(Pending(f"q{i}", 3)) for i in range(3)]
    assert len(set(keys)) == 3
    assert all(len(k) <= 16 and int(k, 16) >= 0 for k in keys)
    assert memo.get(keys[0]) is None
    assert memo.get(keys[2]) == Pending("q2", 3)
