"""/reindex: moderators rebuild the index from seeds/ while the bot keeps answering."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.audit import record
from bot.console_study import diff_lines
from bot.interactions import NO_MENTIONS, NotModerator, send, send_private
from bot.library_changes import refreshed
from bot.progress import throttled
from bot.render import escape, text_reply
from index import Library
from index.diff import diff_libraries
from index.errors import BriefError, IndexUnreadable
from index.vectors import Progress

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
    """What a rebuild changed, and which files it skipped and why (without the changes
    when the previous index cannot be read: it was damaged on disk)."""
    counts = {"seconds": seconds, "briefs": len(new.briefs), "passages": len(new.passages)}
    try:
        # Paragraphs added, changed and removed per brief (issue 14), titles escaped.
        changes = [escape(line) for line in diff_lines(diff_libraries(old, new), new, old)]
        was = {"old_briefs": len(old.briefs), "old_passages": len(old.passages)}
        lines = [messages.REINDEX_DONE.format(**counts, **was), *changes]
    except IndexUnreadable:
        lines = [messages.REINDEX_DONE_AFRESH.format(**counts)]
    lines += [
        messages.REINDEX_SKIPPED.format(file=escape(s.file), reason=escape(s.reason))
        for s in new.skipped
    ]
    return "\n".join(lines)


# How often a long /reindex edits its "thinking" reply with its progress.
PROGRESS_EVERY_SECONDS = 5.0


class _ProgressInReply:
    """Progress of a build (reported from its thread) as edits of the deferred reply; the
    result is sent once every edit has landed, so it always comes last."""

    def __init__(self, interaction: discord.Interaction[BriefBot]) -> None:
        self._interaction = interaction
        self._loop = asyncio.get_running_loop()
        self._edits: list[concurrent.futures.Future[Any]] = []
        self.callback: Callable[[Progress], None] = throttled(self._edit, PROGRESS_EVERY_SECONDS)

    def _edit(self, text: str) -> None:
        edited = self._interaction.edit_original_response(
            content=text, allowed_mentions=NO_MENTIONS
        )
        self._edits.append(asyncio.run_coroutine_threadsafe(edited, self._loop))

    async def settled(self) -> None:
        """Wait for the edits sent so far (a failed edit is only a missed progress line)."""
        await asyncio.gather(*map(asyncio.wrap_future, self._edits), return_exceptions=True)


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
            progress = _ProgressInReply(interaction)
            try:
                # Incremental: briefs whose files did not change are taken from the old index.
                new = await asyncio.to_thread(refreshed, slot.config, holder, progress.callback)
            except (BriefError, OSError) as exc:
                await progress.settled()
                log.warning("Reindex failed, still serving the old index: %s", exc)
                record(interaction, slot, "reindex", "", f"failed: {exc}")
                reason = escape(messages.build_error_text(exc))
                failed = text_reply(messages.REINDEX_FAILED.format(reason=reason))
                await send(interaction, failed, ephemeral=True)
                return
            seconds = time.perf_counter() - started
            await progress.settled()
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
