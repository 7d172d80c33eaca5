"""Start and stop the bot: the token from the environment, clean shutdown on Ctrl-C/SIGTERM.

Imported only by `briefbot run` and `briefbot sync`, so the offline commands never load
discord.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord

from bot import cli_messages as say
from bot.client import create_bot
from bot.config import Config, encoder_of
from bot.holder import IndexHolder
from bot.redact import install_token_filter
from index import Searcher, open_index

log = logging.getLogger(__name__)

# How long a closing bot may take to say goodbye before we stop waiting.
CLOSE_TIMEOUT_SECONDS = 10.0


class TokenMissing(Exception):
    """The token variable is unset or empty."""


def read_token(config: Config) -> str:
    """The bot token from the environment variable named in the config."""
    token = os.environ.get(config.discord.token_env, "").strip()
    if not token:
        raise TokenMissing(config.discord.token_env)
    return token


PLAIN_LOG_FORMAT = logging.Formatter(
    "[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{"
)


def setup_logging(config: Config) -> None:
    """discord.py's log format at the configured level: colours only on a terminal (discord.py
    also colours in Docker, whatever stderr is), and Discord tokens masked in every record."""
    handler = logging.StreamHandler()  # stderr
    plain = not (hasattr(handler.stream, "isatty") and handler.stream.isatty())
    discord.utils.setup_logging(
        handler=handler,
        formatter=PLAIN_LOG_FORMAT if plain else discord.utils.MISSING,
        level=logging.getLevelName(config.log_level),
        root=True,
    )
    install_token_filter()


def open_holder(config: Config) -> IndexHolder:
    """The index to serve, built first when missing or stale."""
    encoder = encoder_of(config)
    opened = open_index(config.seeds_dir, config.index_path, config.index, encoder)
    if opened.rebuilt_because:
        log.info("Built the index (%s)", opened.rebuilt_because)
    if opened.warning is not None:
        log.warning("%s; answering from the saved index", opened.warning)
    return IndexHolder(Searcher(opened.index, config.search, encoder))


async def serve(
    bot: discord.Client,
    token: str,
    *,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run `bot` until it fails, or `stop` is set (SIGINT and SIGTERM set it), then close it."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            running = asyncio.create_task(bot.start(token))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if running.done():
                running.result()  # raises what stopped the bot, e.g. LoginFailure
                return
            log.info("Shutting down")
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(running, CLOSE_TIMEOUT_SECONDS)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _fail(text: str) -> int:
    print(say.PREFIX + text, file=sys.stderr)
    return 1


def _with_token(config: Config, main: Callable[[str], Coroutine[Any, Any, None]]) -> int:
    """Read the token, set up logging, run `main(token)`; the exit code."""
    try:
        token = read_token(config)
    except TokenMissing:
        return _fail(say.NO_TOKEN.format(env=config.discord.token_env))
    setup_logging(config)
    return _guarded(config, main(token))


def run(config: Config) -> int:
    """`briefbot run`: serve until stopped; the exit code."""
    return _with_token(config, lambda token: serve(create_bot(config, open_holder(config)), token))


async def _sync(config: Config, token: str) -> None:
    bot = create_bot(config, open_holder(config), sync_on_start=False)
    async with bot:
        await bot.login(token)
        for guild_id, synced in await bot.sync_commands():
            names = ", ".join(sorted(c.name for c in synced)) or say.SYNCED_NONE
            where = say.GLOBALLY if guild_id is None else say.IN_SERVER.format(guild_id=guild_id)
            print(say.SYNCED.format(count=len(synced), where=where, names=names))


def sync(config: Config) -> int:
    """`briefbot sync`: register the commands now and print them; the exit code."""
    return _with_token(config, lambda token: _sync(config, token))


def _guarded(config: Config, main: object) -> int:
    """Run the coroutine `main`, turning Discord failures into one line on stderr."""
    env = config.discord.token_env
    try:
        asyncio.run(main)  # type: ignore[arg-type]
    except discord.LoginFailure:
        return _fail(say.BAD_TOKEN.format(env=env))
    except discord.PrivilegedIntentsRequired:
        return _fail(say.NO_INTENTS)
    except (discord.GatewayNotFound, discord.ConnectionClosed, aiohttp.ClientError, OSError) as exc:
        return _fail(say.UNREACHABLE.format(error=exc.__class__.__name__))
    except discord.HTTPException as exc:
        return _fail(say.DISCORD_ANSWERED.format(status=exc.status, error=exc.__class__.__name__))
    return 0
