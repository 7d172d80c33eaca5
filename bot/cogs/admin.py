"""/reindex: moderators rebuild the index from seeds/ while the bot keeps answering."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.audit import record
from bot.interactions import NotModerator, send, send_private
from bot.library_changes import refreshed
from bot.render import escape, text_reply
from index import Library
from index.errors import BriefError

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)


def is_moderator(interaction: discord.Interaction[Any], role_ids: tuple[int, ...]) -> bool:
    """Manage Server in this channel, or one of the configured moderator roles."""
    if interaction.permissions.manage_guild:
        return True
    roles = getattr(interaction.user, "roles", [])
    return any(role.id in role_ids for role in roles)


def _moderators_only(interaction: discord.Interaction[BriefBot]) -> bool:
    """The bot-side check; `default_permissions` only hides the command, and admins can undo it."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not is_moderator(interaction, interaction.client.config.discord.moderator_role_ids):
        raise NotModerator()
    return True


def reindex_report(old: Library, new: Library, seconds: float) -> str:
    """What a rebuild changed, and which files it skipped and why."""
    lines = [
        messages.REINDEX_DONE.format(
            seconds=seconds,
            briefs=len(new.briefs),
            old_briefs=len(old.briefs),
            passages=len(new.passages),
            old_passages=len(old.passages),
        )
    ]
    lines += [
        messages.REINDEX_SKIPPED.format(file=escape(s.file), reason=escape(s.reason))
        for s in new.skipped
    ]
    return "\n".join(lines)


class AdminCog(commands.Cog):
    """Commands for the server's moderators."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    @app_commands.command(name="reindex")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(_moderators_only)
    async def reindex(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Rebuild the index from the seeds folder (moderators only)."""
        # This server's library (bot/libraries.py): its own folder, index and lock.
        slot = await self.bot.libraries.slot(interaction.guild_id)
        if slot.lock.locked():
            await send_private(interaction, messages.REINDEX_RUNNING)
            return
        # Taken before the next await, so a second /reindex always sees it held.
        async with slot.lock:
            await interaction.response.defer(ephemeral=True, thinking=True)
            holder = slot.holder
            started = time.perf_counter()
            try:
                # Incremental: briefs whose files did not change are taken from the old index.
                new = await asyncio.to_thread(refreshed, slot.config, holder)
            except (BriefError, OSError) as exc:
                log.warning("Reindex failed, still serving the old index: %s", exc)
                record(interaction, slot, "reindex", "", f"failed: {exc}")
                reason = escape(messages.build_error_text(exc))
                failed = text_reply(messages.REINDEX_FAILED.format(reason=reason))
                await send(interaction, failed, ephemeral=True)
                return
            seconds = time.perf_counter() - started
            old = slot.serve(new) or new
            record(interaction, slot, "reindex", "", f"ok: {len(new.briefs)} brief(s)")
            log.info(
                "Reindexed: %d brief(s), %d passages in %.2f s",
                len(new.briefs),
                len(new.passages),
                seconds,
            )
            await send(interaction, text_reply(reindex_report(old, new, seconds)), ephemeral=True)


async def setup(bot: BriefBot) -> None:
    """The extension's entry point: discord.py calls it from `load_extension`."""
    await bot.add_cog(AdminCog(bot))
