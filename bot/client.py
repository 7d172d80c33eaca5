"""The discord.py bot: its command tree (cooldown, one error handler) and its start-up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.holder import Cooldowns, IndexHolder, Memo
from bot.interactions import NO_MENTIONS, TooFast, report_error
from bot.libraries import Libraries
from index.search import warm_up

log = logging.getLogger(__name__)

# The cogs, loaded by name as discord.py extensions (each has `async def setup(bot)`).
EXTENSIONS = ("bot.cogs.ask", "bot.cogs.admin", "bot.cogs.study", "bot.cogs.library")


class QATree(app_commands.CommandTree["BriefBot"]):
    """The command tree: a per-user cooldown on commands, and one place for errors."""

    async def interaction_check(self, interaction: discord.Interaction[BriefBot]) -> bool:
        """Refuse commands from a user over the cooldown (autocomplete is not counted)."""
        if interaction.type is discord.InteractionType.application_command:
            wait = self.client.cooldowns.retry_after(interaction.user.id)
            if wait > 0:
                raise TooFast(wait)
        return True

    async def on_error(
        self, interaction: discord.Interaction[BriefBot], error: app_commands.AppCommandError
    ) -> None:
        """A short private reply for the user; the traceback for the log."""
        await report_error(interaction, error)


class BriefBot(commands.Bot):
    """The bot: slash commands over the index in `holder`, configured by `config`."""

    def __init__(
        self,
        config: Config,
        holder: IndexHolder,
        *,
        sync_on_start: bool,
        **options: Any,  # noqa: ANN401
    ) -> None:
        # Slash commands need no intents; `guilds` keeps servers and roles cached, for the
        # moderator-role check. No privileged intent (members, presences, message content).
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=NO_MENTIONS,
            tree_cls=QATree,
            help_command=None,
            **options,
        )
        self.config = config
        self.holder = holder
        # One library per server (config `libraries:`); `holder` is the default one's.
        self.libraries = Libraries(config, holder)
        self.memo = Memo()
        self.cooldowns = Cooldowns(config.discord.cooldown_uses, config.discord.cooldown_seconds)
        self.sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        """Load the commands and buttons, then register the commands with Discord if asked."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # In a thread, while the bot connects: about half a second of loading.
        self._warm_up = asyncio.create_task(asyncio.to_thread(warm_up))
        if self.sync_on_start:
            try:
                for guild_id, synced in await self.sync_commands():
                    where = f"in server {guild_id}" if guild_id else "globally"
                    log.info("Registered %d command(s) %s", len(synced), where)
            except discord.HTTPException as exc:
                # Keep serving: commands registered earlier still work.
                log.error(
                    "Could not register the slash commands (Discord answered %s). Check "
                    "discord.guild_ids and that the bot was invited with the "
                    "applications.commands scope; then run: briefbot sync",
                    exc.status,
                )

    async def sync_commands(self) -> list[tuple[int | None, list[app_commands.AppCommand]]]:
        """Register the commands in the configured servers (by id), or globally (None)."""
        done: list[tuple[int | None, list[app_commands.AppCommand]]] = []
        if not self.config.discord.guild_ids:
            done.append((None, await self.tree.sync()))
        for guild_id in self.config.discord.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            done.append((guild_id, await self.tree.sync(guild=guild)))
        return done

    async def on_ready(self) -> None:
        """Log who we are and what we serve."""
        index = self.holder.library
        log.info(
            "Connected as %s (id %s) to %d server(s); serving %d passages from %d brief(s)",
            self.user,
            getattr(self.user, "id", "?"),
            len(self.guilds),
            len(index.passages),
            len(index.briefs),
        )


class ShardedBriefBot(BriefBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (config `discord.shard_count`)."""


def create_bot(
    config: Config, holder: IndexHolder, *, sync_on_start: bool | None = None
) -> BriefBot:
    """The bot `briefbot run` starts: sharded when the config asks for shards."""
    sync = config.discord.sync_on_start if sync_on_start is None else sync_on_start
    # A text-only bot: skip discord.py's start-up warnings about missing voice libraries.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    shards = config.discord.shard_count
    if shards is None:
        return BriefBot(config, holder, sync_on_start=sync)
    return ShardedBriefBot(config, holder, sync_on_start=sync, shard_count=shards)
