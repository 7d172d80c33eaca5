"""What every command and button does with an interaction: reply once, privately when
asked, defer when slow, and turn any error into one private line.

The client and the cogs both import this module; it imports neither of them, so the
cogs can be loaded as extensions without an import cycle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import library_messages, messages
from bot.holder import IndexHolder
from bot.library_changes import start_heal
from bot.render import Reply, text_reply
from index.errors import IndexUnreadable, NothingToSearch, QuestionTooLong

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_MENTIONS = discord.AllowedMentions.none()
# Discord wants an answer within 3 s; past this, acknowledge first and answer after.
DEFER_AFTER_SECONDS = 2.0


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


async def off_loop(
    interaction: discord.Interaction[Any], func: Callable[..., T], *args: object, ephemeral: bool
) -> T:
    """Run `func(*args)` in a thread; defer the interaction if it is still running after 2 s."""
    task = asyncio.ensure_future(asyncio.to_thread(func, *args))
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_SECONDS)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    return await task


def error_text(error: BaseException) -> str | None:
    """The private line for an error the user can act on; None for a bug."""
    if isinstance(error, TooFast):
        return messages.COOLDOWN.format(seconds=max(error.retry_after, 1))
    if isinstance(error, NotModerator):
        return messages.NOT_MODERATOR
    if isinstance(error, app_commands.NoPrivateMessage):
        return messages.GUILD_ONLY
    if isinstance(error, QuestionTooLong):
        return messages.TOO_LONG.format(length=error.length, limit=error.limit)
    if isinstance(error, NothingToSearch):
        return messages.NOTHING_TO_SEARCH
    return None


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user what went wrong in one private line; log the traceback of real bugs."""
    original = getattr(error, "original", error)
    text = error_text(original)
    if isinstance(original, IndexUnreadable):
        # The file under a mapped index changed or broke: rebuild the library from its briefs.
        start_heal(await interaction.client.libraries.slot(interaction.guild_id), original)
        text = messages.INDEX_DAMAGED
    if text is None:
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


async def server_holder(interaction: discord.Interaction[Any]) -> IndexHolder | None:
    """The index of this server's library (bot/libraries.py); None, and the user told,
    while that library has no brief."""
    slot = await interaction.client.libraries.slot(interaction.guild_id)
    if slot.holder is None:
        await send_private(interaction, library_messages.EMPTY_LIBRARY)
    holder: IndexHolder | None = slot.holder
    return holder


class GuardedClick:
    """What every button does around its reply: the per-user cooldown, and one private
    apology for any error. (A mixin: discord.py wants a template on each DynamicItem
    subclass, so a shared DynamicItem base cannot hold it.)"""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reply privately to whoever clicked, unless they are over the cooldown."""
        try:
            wait = interaction.client.cooldowns.retry_after(interaction.user.id)
            if wait > 0:
                await send_private(interaction, messages.COOLDOWN.format(seconds=max(wait, 1)))
            else:
                await self.reply(interaction)
        except Exception as exc:
            await report_error(interaction, exc)

    async def reply(self, interaction: discord.Interaction[Any]) -> None:
        """The button's own reply."""
        raise NotImplementedError
