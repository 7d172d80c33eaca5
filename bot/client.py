"""The discord.py bot: its command tree (cooldown, one error handler) and its start-up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.config import Config
from bot.holder import Cooldowns, IndexHolder, Memo
from bot.render import Reply, text_reply
from index.errors import NothingToSearch, QuestionTooLong
from index.search import warm_up

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


class TooFast(app_commands.CheckFailure):
    """The user is over the per-user cooldown."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class NotModerator(app_commands.CheckFailure):
    """The user may not use a moderators' command."""


def _embeds(reply: Reply) -> list[discord.Embed]:
    return [discord.Embed.from_dict(e) for e in reply.embeds]


async def send(
    interaction: discord.Interaction[Any],
    reply: Reply,
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> None:
    """Send `reply` as the interaction's response, or as a followup when it was deferred."""
    kwargs: dict[str, Any] = {
        "content": reply.content or None,
        "embeds": _embeds(reply),
        "ephemeral": ephemeral,
        "allowed_mentions": NO_MENTIONS,
    }
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


async def send_private(interaction: discord.Interaction[Any], text: str) -> None:
    """A short ephemeral notice, whether or not the interaction was answered yet."""
    await send(interaction, text_reply(text), ephemeral=True)


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user what went wrong in one private line; log the traceback of real bugs."""
    original = getattr(error, "original", error)
    if isinstance(original, TooFast):
        text = messages.COOLDOWN.format(seconds=max(original.retry_after, 1))
    elif isinstance(original, NotModerator):
        text = messages.NOT_MODERATOR
    elif isinstance(original, app_commands.NoPrivateMessage):
        text = messages.GUILD_ONLY
    elif isinstance(original, QuestionTooLong):
        text = messages.TOO_LONG.format(length=original.length, limit=original.limit)
    elif isinstance(original, NothingToSearch):
        text = messages.NOTHING_TO_SEARCH
    else:
        log.error(
            "Unexpected error in %s (guild %s, user %s)",
            getattr(interaction.command, "qualified_name", "a component"),
            interaction.guild_id,
            interaction.user.id,
            exc_info=original,
        )
        text = messages.APOLOGY
    try:
        await send_private(interaction, text)
    except discord.HTTPException:
        # The interaction expired or Discord refused; nothing more can reach the user.
        log.warning("Could not tell the user about an error", exc_info=True)


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
        self.memo = Memo()
        self.cooldowns = Cooldowns(config.discord.cooldown_uses, config.discord.cooldown_seconds)
        self.sync_on_start = sync_on_start

    async def setup_hook(self) -> None:
        """Add the commands and buttons, then register the commands with Discord if asked."""
        from bot.cogs.admin import AdminCog
        from bot.cogs.ask import AskCog, ContextButton, MoreButton

        await self.add_cog(AskCog(self))
        await self.add_cog(AdminCog(self))
        self.add_dynamic_items(MoreButton, ContextButton)
        # In a thread, while the bot connects: about half a second of loading.
        self._warm_up = asyncio.create_task(asyncio.to_thread(warm_up))
        if self.sync_on_start:
            try:
                for where, synced in await self.sync_commands():
                    log.info("Registered %d command(s) %s", len(synced), where)
            except discord.HTTPException as exc:
                # Keep serving: commands registered earlier still work.
                log.error(
                    "Could not register the slash commands (Discord answered %s). Check "
                    "discord.guild_ids and that the bot was invited with the "
                    "applications.commands scope; then run: briefbot sync",
                    exc.status,
                )

    async def sync_commands(self) -> list[tuple[str, list[app_commands.AppCommand]]]:
        """Register the commands in the configured servers, or globally when none are set."""
        done = []
        if not self.config.discord.guild_ids:
            done.append(("globally", await self.tree.sync()))
        for guild_id in self.config.discord.guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            done.append((f"in server {guild_id}", await self.tree.sync(guild=guild)))
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
