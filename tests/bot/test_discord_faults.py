"""Promise 8: Discord misbehaving. 429s, 5xx and a dropped gateway, through discord.py's own code.

The fake answers chosen REST calls with 429 (a `retry_after` body and the rate-limit
headers discord.py reads) or 500, and closes the gateway socket or asks the bot to
reconnect. discord.py retries and resumes by itself; these tests check that every
interaction still gets its answer, or leaves an error in the log, and that the bot
keeps serving afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import time

import discord.client
import discord.http
import discord.webhook.async_
import pytest

from bot import messages
from tests.bot.conftest import Exchange
from tests.discord_payloads import MOD_ROLE_ID, USER_ID, make_member
from tests.fake_discord import Fault

BORDER = "How long is the border between North Korea and China?"
ANSWER = "1,350-kilometre"
# After each of its five tries that gets a 5xx, discord.py waits 1, 3, 5, 7, then 9 s
# (http.py, webhook/async_.py), then raises DiscordServerError.
SERVER_ERROR_WAITS = [1, 3, 5, 7, 9]


class ScaledAsyncio:
    """`asyncio` as discord.py's HTTP and client modules see it, every sleep 1/100 as long.

    Only the length of discord.py's waits changes (5xx back-off, the 5 s before a second
    IDENTIFY); what it asked for is kept in `asked`, so a test can check the schedule
    without waiting 25 s for it.
    """

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __getattr__(self, name: str):
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result=None):
        self.asked.append(delay)
        return await asyncio.sleep(delay / 100, result)


@pytest.fixture
def fast_backoff(monkeypatch):
    shim = ScaledAsyncio()
    monkeypatch.setattr(discord.webhook.async_, "asyncio", shim)
    monkeypatch.setattr(discord.http, "asyncio", shim)
    monkeypatch.setattr(discord.client, "asyncio", shim)
    return shim


def eventually(predicate, timeout: float = 10.0):
    """Poll `predicate` until it is truthy (at most `timeout` s); return its value."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
    return result


def _callbacks(ex: Exchange) -> list[int]:
    return [r.status for r in ex.requests if r.path.endswith("/callback")]


def _records(caplog, logger: str, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == level]


# -- REST -------------------------------------------------------------------------------------


def test_rate_limited_answer_is_retried_after_retry_after(env, caplog):
    env.fake.faults.append(Fault("/callback", 429, retry_after=0.05))
    with caplog.at_level(logging.DEBUG, logger="discord.webhook"):
        ex = env.ask(BORDER)
    assert _callbacks(ex) == [429, 200]
    assert ANSWER in ex.text()
    # Both tries sent the same answer.
    bodies = [r.body for r in ex.requests if r.path.endswith("/callback")]
    assert bodies[0] == bodies[1]
    warnings = _records(caplog, "discord.webhook.async_", logging.WARNING)
    assert any("is rate limited. Retrying in 0.05 seconds" in w for w in warnings), warnings


def test_rate_limited_followup_after_a_defer_is_retried(env):
    env.fake.faults.append(Fault("/webhooks/", 429, retry_after=0.05))
    ex = env.send(env.fake.slash("reindex", member=make_member(roles=(MOD_ROLE_ID,))))
    followups = [r.status for r in ex.requests if r.path.startswith("/webhooks/")]
    assert followups == [429, 200]
    assert ex.message["content"].startswith("Rebuilt the index in ")


def test_global_rate_limit_on_command_sync_is_waited_out(fake, start_bot, caplog):
    # The bot's own REST calls go through discord.http, which also honours `global`.
    fake.faults.append(Fault("/commands", 429, retry_after=0.05, is_global=True))
    with caplog.at_level(logging.WARNING, logger="discord.http"):
        env = start_bot()

        def puts():
            statuses = [r.status for r in fake.requests if r.method == "PUT"]
            return statuses if len(statuses) == 2 else None

        statuses = eventually(puts)
    assert statuses == [429, 200]
    assert "Global rate limit has been hit. Retrying in 0.05 seconds." in caplog.messages
    assert ANSWER in env.ask(BORDER).text()


def test_server_error_on_command_sync_is_retried(fake, fast_backoff, start_bot):
    fake.faults.append(Fault("/commands", 502))
    env = start_bot()

    def puts():
        statuses = [r.status for r in fake.requests if r.method == "PUT"]
        return statuses if len(statuses) == 2 else None

    assert eventually(puts) == [502, 200]
    assert 1 in fast_backoff.asked  # discord.py waits 1 s before its second try
    assert ANSWER in env.ask(BORDER).text()


def test_server_error_once_is_retried(env, fast_backoff):
    env.fake.faults.append(Fault("/callback", 500))
    ex = env.ask(BORDER)
    assert _callbacks(ex) == [500, 200]
    assert fast_backoff.asked == [1]
    assert ANSWER in ex.text()


def test_answer_that_always_fails_is_logged_and_the_bot_keeps_serving(env, fast_backoff, caplog):
    env.fake.faults.append(Fault("/callback", 500, times=None))
    payload = env.fake.slash("ask", question=BORDER)
    with caplog.at_level(logging.WARNING):
        env.lt.run(env.fake.dispatch("INTERACTION_CREATE", payload))
        # Five tries for the answer, five for the private apology; then both are logged.
        warned = eventually(lambda: _records(caplog, "bot.interactions", logging.WARNING))
    tries = [r for r in env.fake.requests if payload["token"] in r.path]
    assert [r.status for r in tries] == [500] * 10
    assert tries[-1].body["data"]["content"] == messages.APOLOGY
    assert fast_backoff.asked == SERVER_ERROR_WAITS * 2
    errors = [
        r for r in caplog.records if r.name == "bot.interactions" and r.levelno == logging.ERROR
    ]
    assert [e.getMessage() for e in errors] == [
        f"Unexpected error in ask (guild {payload['guild_id']}, user {USER_ID})"
    ]
    assert errors[0].exc_info[0] is discord.DiscordServerError
    assert warned == ["Could not tell the user about an error"]
    # Discord recovers: the next question is answered as usual.
    env.fake.faults.clear()
    assert ANSWER in env.ask(BORDER).text()


# -- gateway ----------------------------------------------------------------------------------


def _reconnected(env, *, resumed: bool):
    fake = env.fake
    if resumed:
        return env.lt.run(fake.wait_until(lambda: fake.resumes == 1 and fake.live, 10), 11)
    return env.lt.run(fake.wait_until(lambda: fake.identifies == 2 and fake.live, 10), 11)


@pytest.mark.parametrize("how", ["close 4000", "close 1000", "close 1001", "cut", "RECONNECT"])
def test_dropped_gateway_resumes_and_missed_interactions_are_answered(env, how, caplog):
    assert ANSWER in env.ask(BORDER).text()
    fake = env.fake
    session = fake.session
    with caplog.at_level(logging.INFO, logger="discord.gateway"):
        if how == "RECONNECT":
            env.lt.run(fake.ask_reconnect())
        elif how == "cut":
            env.lt.run(fake.drop_gateway(code=None))
        else:
            env.lt.run(fake.drop_gateway(code=int(how.split()[1])))
        # Sent while the bot is away: Discord keeps it and replays it on RESUME.
        missed = env.send(fake.slash("ask", question=BORDER))
        _reconnected(env, resumed=True)
    assert ANSWER in missed.text()
    assert _callbacks(missed) == [200]
    resume = [p["d"] for p in fake.sent_by_bot if p["op"] == 6]
    assert len(resume) == 1
    assert resume[0]["session_id"] == session
    assert fake.identifies == 1
    assert f"has successfully RESUMED session {session}." in caplog.text
    # And after the RESUME, as usual.
    assert ANSWER in env.ask(BORDER).text()


def test_session_that_cannot_resume_identifies_again_and_answers(env, fast_backoff):
    fake = env.fake
    fake.refuse_resume = True
    env.lt.run(fake.drop_gateway())
    _reconnected(env, resumed=False)
    ops = [p["op"] for p in fake.sent_by_bot if p["op"] in (2, 6)]
    # IDENTIFY, then RESUME (refused with INVALID_SESSION), then a new IDENTIFY.
    assert ops == [2, 6, 2]
    assert fake.resumes == 0
    # discord.py waits 5 s before any IDENTIFY but the first (Client.before_identify_hook).
    assert 5.0 in fast_backoff.asked
    ex = env.ask(BORDER)
    assert ANSWER in ex.text()
    assert env.bot.get_guild(int(ex.interaction["guild_id"])) is not None


def test_interactions_through_429s_and_a_dropped_gateway_are_each_answered_once(start_bot):
    env = start_bot()
    fake = env.fake
    # Every third answer is rate limited once; the gateway drops in the middle of the burst.
    fake.faults.append(Fault("/callback", 429, times=None, every=3, retry_after=0.02))
    users = [make_member(USER_ID + n) for n in range(10)]
    payloads = [fake.slash("ask", member=users[n % 10], question=BORDER) for n in range(30)]

    async def burst():
        for n, payload in enumerate(payloads):
            if n == 15:
                await fake.drop_gateway()
            await fake.dispatch("INTERACTION_CREATE", payload)

    env.lt.run(burst())
    tokens = [p["token"] for p in payloads]

    def answered():
        done = {
            r.path.split("/")[3] for r in fake.requests if r.status == 200 and "/callback" in r.path
        }
        return all(t in done for t in tokens)

    env.lt.run(fake.wait_until(answered, 10), 11)
    assert fake.resumes == 1
    for token in tokens:
        ok = [r for r in fake.requests if token in r.path and r.status == 200]
        assert len(ok) == 1, ok
        assert ANSWER in str(ok[0].body)
    assert any(r.status == 429 for r in fake.requests)
