"""The real bot, built by our own code, connected to the fake Discord in a background loop.

The fake and the bot share one event loop in a thread, so tests stay plain functions
and every wait is a `.result(timeout)`.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import discord
import pytest
import yaml
import yarl
from discord.gateway import DiscordWebSocket

from bot.client import BriefBot, create_bot
from bot.config import Config
from bot.config_file import load_config
from bot.runner import open_holder, serve
from tests.conftest import MODEL_CACHE
from tests.discord_payloads import (
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    GUILD_ID,
    MOD_ROLE_ID,
    UPDATE_MESSAGE,
)
from tests.fake_discord import Fake, Request

TOKEN = "fake-token-for-tests"
WAIT_SECONDS = 10.0
T = TypeVar("T")


class LoopThread:
    """An event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT_SECONDS) -> T:
        """Run `coro` in the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Cancel what is still pending (e.g. discord.py's ready timer), then stop the loop."""

        async def cancel_pending() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_pending())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT_SECONDS)
        self.loop.close()


def _finished(requests: list[Request]) -> bool:
    """An interaction is answered: a message callback, or a followup after a defer (accepted)."""
    for r in requests:
        if r.status >= 300:
            continue
        if r.path.endswith("/callback") and r.body.get("type") in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            return True
        if r.path.startswith("/webhooks/") and r.method in ("POST", "PATCH"):
            return True
    return False


@dataclass
class Exchange:
    """An interaction sent to the bot and the requests the bot made for it."""

    interaction: dict[str, Any]
    requests: list[Request]
    sent_at: float

    @property
    def callback(self) -> dict[str, Any]:
        """The body of the interaction callback."""
        return next(r.body for r in self.requests if r.path.endswith("/callback"))

    @property
    def latency(self) -> float:
        """Seconds from dispatching the interaction to the bot's callback."""
        return next(r.at for r in self.requests if r.path.endswith("/callback")) - self.sent_at

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message payload Discord accepted: callback data and followups/edits."""
        out = []
        for r in self.requests:
            if r.status >= 300:
                continue
            if r.path.endswith("/callback") and r.body.get("type") in (
                CHANNEL_MESSAGE,
                UPDATE_MESSAGE,
            ):
                out.append(r.body["data"])
            elif r.path.startswith("/webhooks/") and r.method in ("POST", "PATCH"):
                out.append(r.body)
        return out

    @property
    def message(self) -> dict[str, Any]:
        """The one message payload of the answer."""
        assert len(self.messages) == 1, self.messages
        return self.messages[0]

    @property
    def ephemeral(self) -> bool:
        """Whether the answer is private (the defer decides when there was one)."""
        defer = [
            r.body
            for r in self.requests
            if r.path.endswith("/callback") and r.body.get("type") == DEFERRED_CHANNEL_MESSAGE
        ]
        flags = (defer[0].get("data") or {}) if defer else self.message
        return bool(flags.get("flags", 0) & 64)

    def text(self) -> str:
        """Everything a user reads in the answer, as one string."""
        parts = []
        for m in self.messages:
            parts.append(m.get("content") or "")
            for e in m.get("embeds") or []:
                parts += [e.get("title", ""), e.get("description", "")]
                parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
                parts.append((e.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        """The custom_ids of the buttons on the answer."""
        return [
            c["custom_id"]
            for m in self.messages
            for row in m.get("components") or []
            for c in row["components"]
        ]


class BotEnv:
    """A running bot and the fake Discord it talks to."""

    def __init__(self, fake: Fake, lt: LoopThread, bot: BriefBot, config: Config) -> None:
        self.fake = fake
        self.lt = lt
        self.bot = bot
        self.config = config
        self._stop: asyncio.Event | None = None
        self._serving: Any = None

    def start(self) -> None:
        """Start serving and wait until the bot has identified on the gateway."""

        async def event() -> asyncio.Event:
            return asyncio.Event()

        self._stop = self.lt.run(event())
        self._serving = asyncio.run_coroutine_threadsafe(
            serve(self.bot, TOKEN, stop=self._stop, handle_signals=False), self.lt.loop
        )
        try:
            self.lt.run(self.fake.wait_until(self.fake.identified.is_set, WAIT_SECONDS))
        except Exception:
            if self._serving.done():
                self._serving.result()  # show why the bot stopped
            raise

    def close(self) -> None:
        """Stop the bot as Ctrl-C would, and wait for it."""
        if self._stop is not None:
            self.lt.loop.call_soon_threadsafe(self._stop.set)
            self._serving.result(WAIT_SECONDS)

    def send(
        self,
        payload: dict[str, Any],
        done: Callable[[list[Request]], bool] = _finished,
        timeout: float = 5.0,
    ) -> Exchange:
        """Dispatch an interaction; wait until `done(requests for it)`; return the exchange."""
        sent_at = self.lt.run(self.fake.dispatch("INTERACTION_CREATE", payload))
        token = payload["token"]

        def mine() -> list[Request] | None:
            requests = [r for r in self.fake.requests if token in r.path]
            return requests if done(requests) else None

        requests = self.lt.run(self.fake.wait_until(mine, timeout), timeout + 1)
        return Exchange(payload, requests, sent_at)

    def ask(self, question: str, **options: Any) -> Exchange:
        """/ask question:<question> [options]."""
        return self.send(self.fake.slash("ask", question=question, **options))

    def click(self, exchange: Exchange, prefix: str) -> Exchange:
        """Click the first button of `exchange` whose custom_id starts with `prefix`."""
        custom_id = next(c for c in exchange.custom_ids() if c.startswith(prefix))
        message = {**self.fake._message(exchange.messages[0])}
        return self.send(self.fake.click(custom_id, message))


def write_config(folder: Path, seeds: Path, **discord_keys: Any) -> Path:
    """A config file using `seeds`, the test server and the given `discord:` keys."""
    data = {
        "seeds_dir": str(seeds),
        "data_dir": str(folder / "data"),
        "logging": {"level": "INFO"},
        "meaning": {"cache_dir": str(MODEL_CACHE)},
        "discord": {
            "guild_ids": [GUILD_ID],
            "moderator_role_ids": [MOD_ROLE_ID],
            "cooldown_seconds": 0,
            **discord_keys,
        },
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    lt = LoopThread()
    yield lt
    lt.close()


@pytest.fixture
def fake(loop_thread: LoopThread, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    """The fake Discord, with discord.py pointed at it (and only at it)."""

    async def start() -> Fake:
        server = Fake(token=TOKEN)
        await server.start()
        return server

    server = loop_thread.run(start())
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def start_bot(
    fake: Fake, loop_thread: LoopThread, tmp_path: Path, seeds_dir: Path
) -> Iterator[Callable[..., BotEnv]]:
    """start_bot(**discord_keys) -> a running BotEnv, built the way `briefbot run` builds it."""
    envs: list[BotEnv] = []

    def start(**discord_keys: Any) -> BotEnv:
        config = load_config(write_config(tmp_path, seeds_dir, **discord_keys))

        async def build() -> BriefBot:
            return create_bot(config, open_holder(config))

        env = BotEnv(fake, loop_thread, loop_thread.run(build()), config)
        envs.append(env)
        env.start()
        return env

    yield start
    for env in envs:
        env.close()


@pytest.fixture
def env(start_bot: Callable[..., BotEnv]) -> BotEnv:
    """A running bot with the default test config."""
    return start_bot()


def run_python(
    code: str, config: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -c code args` in a fresh interpreter with `config` as BRIEFBOT_CONFIG and a
    bare environment; it must exit 0 (what a test of a whole process reads from it)."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"BRIEFBOT_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result
