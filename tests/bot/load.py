"""Bursts of /ask interactions through the fake Discord: shared by tests/bot/test_load.py and
bench/load.py. All interactions are dispatched back to back, then we wait for every answer.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import tracemalloc
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot import messages
from tests.bot.conftest import BotEnv
from tests.discord_payloads import (
    DEFERRED_CHANNEL_MESSAGE,
    MOD_ROLE_ID,
    USER_ID,
    make_member,
)
from tests.fake_discord import Fake, Request

# Questions students ask, and one the brief does not cover (a private miss).
QUESTIONS = [
    "How long is the border between North Korea and China?",
    "What did Shoigu bring from Putin?",
    "How many times did Kim meet Xi Jinping?",
    "What is the no limits partnership?",
    "Where did North Korea's ICBM technology come from?",
    "What is the capital of France?",
]
# A paragraph added to the brief before /reindex; only the new index can quote it.
NEW_PARAGRAPH = (
    "Zanzibar cloves were traded by the delegation as a gesture of goodwill toward Pyongyang."
)
NEW_QUESTION = "Which cloves did the delegation trade?"
NEW_PHRASE = "Zanzibar cloves"
MODERATOR = make_member(USER_ID + 999_999, roles=(MOD_ROLE_ID,))


def point_discord_py_at(fake: Fake) -> None:
    """Send discord.py's REST and gateway traffic to `fake` (for scripts; tests monkeypatch)."""
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)


def token_of(request: Request) -> str | None:
    """The interaction token in a callback or webhook path."""
    parts = request.path.split("/")
    if len(parts) > 3 and parts[1] in ("interactions", "webhooks"):
        return parts[3]
    return None


@dataclass
class Outcome:
    """What the bot did for one interaction."""

    sent_at: float
    callbacks: list[Request] = field(default_factory=list)
    answer: Request | None = None

    @property
    def message(self) -> dict[str, Any]:
        """The message payload of the answer (callback data, or the followup)."""
        assert self.answer is not None
        body: dict[str, Any] = self.answer.body
        return body.get("data", body) if self.answer.path.endswith("/callback") else body

    @property
    def text(self) -> str:
        """The answer's content and embed text, for `in` checks."""
        if self.answer is None:
            return ""
        message = self.message
        parts = [message.get("content") or ""]
        for embed in message.get("embeds") or []:
            parts += [embed.get("title", ""), *(f["value"] for f in embed.get("fields", []))]
        return "\n".join(parts)

    @property
    def latency(self) -> float:
        """Seconds from the dispatch to the request that carried the answer."""
        assert self.answer is not None
        return self.answer.at - self.sent_at


class Tracker:
    """Follows the fake's request log (incrementally) and sorts requests by interaction."""

    def __init__(self, env: BotEnv) -> None:
        self.env = env
        self.outcomes: dict[str, Outcome] = {}
        self._seen = 0

    def expect(self, token: str, sent_at: float) -> None:
        """Track the interaction with `token`."""
        self.outcomes[token] = Outcome(sent_at)

    def _scan(self) -> None:
        requests = self.env.fake.requests
        for r in itertools.islice(requests, self._seen, None):
            outcome = self.outcomes.get(token_of(r) or "")
            if outcome is None or r.status >= 300:
                continue
            if r.path.endswith("/callback"):
                outcome.callbacks.append(r)
                if r.body.get("type") != DEFERRED_CHANNEL_MESSAGE and outcome.answer is None:
                    outcome.answer = r
            elif r.method in ("POST", "PATCH"):
                # An edit of the "thinking" message is progress (a long /reindex); the
                # followup that comes after it is the answer.
                progress = outcome.answer is not None and outcome.answer.method == "PATCH"
                if outcome.answer is None or (r.method == "POST" and progress):
                    outcome.answer = r
        self._seen = len(requests)

    def pending(self) -> list[str]:
        """Tokens still without an answer."""
        self._scan()
        return [t for t, o in self.outcomes.items() if o.answer is None]

    def wait(self, timeout: float) -> None:
        """Wait (at most `timeout` s) until every tracked interaction has its answer."""
        self.env.lt.run(self.env.fake.wait_until(lambda: not self.pending(), timeout), timeout + 1)

    def reset(self) -> None:
        """Forget the outcomes and the fake's records, so they do not count as the bot's memory."""
        self.outcomes.clear()
        self.env.fake.requests.clear()
        self.env.fake.sent_by_bot.clear()
        self.env.fake.events.clear()
        self._seen = 0


def asks(env: BotEnv, count: int, users: int, first_user: int) -> list[dict[str, Any]]:
    """`count` /ask interactions, round-robin over `users` members; some ask privately."""
    members = [make_member(USER_ID + first_user + u) for u in range(users)]
    payloads = []
    for n in range(count):
        options: dict[str, Any] = {"question": QUESTIONS[n % len(QUESTIONS)]}
        if n % 7 == 3:
            options["private"] = True
        payloads.append(env.fake.slash("ask", member=members[n % users], **options))
    return payloads


def fire(
    env: BotEnv, tracker: Tracker, payloads: list[dict[str, Any]], spread: float = 0.0
) -> None:
    """Dispatch `payloads` back to back, as if they all arrived at once (or over `spread` s)."""

    async def burst() -> list[float]:
        sent = []
        for payload in payloads:
            sent.append(await env.fake.dispatch("INTERACTION_CREATE", payload))
            if spread:
                await asyncio.sleep(spread / len(payloads))
        return sent

    for payload, sent_at in zip(payloads, env.lt.run(burst(), 30 + spread), strict=True):
        tracker.expect(payload["token"], sent_at)


def reindex_payload(env: BotEnv) -> dict[str, Any]:
    """/reindex by a moderator."""
    return env.fake.slash("reindex", member=MODERATOR)


def traced_bytes() -> int:
    """Memory allocated (and still held) since tracemalloc started, after a full collection."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def is_cooldown(outcome: Outcome) -> bool:
    """Whether the answer was the private cooldown notice."""
    return outcome.text.startswith(messages.COOLDOWN.split("{")[0])
