"""/brief add, /brief remove, /brief list: moderators run their server's library from Discord.

Each server has its own library (bot/libraries.py). A change is written into the
library folder atomically and the index refreshed in a thread while the old one keeps
answering (bot/library_changes.py); replace and remove wait for a button. Every change
is appended to the audit log and, when configured, posted in the mod-log channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import audit, library_changes
from bot import library_messages as say
from bot.cogs.admin import is_moderator
from bot.interactions import NO_MENTIONS, NotModerator, report_error, send, send_private
from bot.libraries import Slot
from bot.render import SourceRow, button_label, escape, escaped_cut, sources_reply, text_reply
from bot.shelf import (
    Candidate,
    SameTitle,
    ShelfError,
    TooLarge,
    check_candidate,
    find_brief,
    read_candidate,
)
from bot.watch import watch
from index.errors import BriefError
from index.fetch import fetch

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)

PREVIEW_CHARS = 300
MAX_PENDING = 256


def moderators_only(interaction: discord.Interaction[BriefBot]) -> bool:
    """The bot-side check (/reindex's): Manage Server or a moderator role, in a server."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not is_moderator(interaction, interaction.client.config.discord.moderator_role_ids):
        raise NotModerator()
    return True


@dataclass(frozen=True)
class Pending:
    """A change waiting for its button: an add whose title is taken, or a remove."""

    action: str  # "add" (Replace / Keep both) or "remove"
    library: str
    brief_id: str  # the brief replaced or removed
    candidate: Candidate | None = None


class LibraryButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:lib:(?P<action>replace|keep|remove):(?P<key>[0-9a-f]+)",
):
    """Replace / Keep both / Remove: carries out the pending change behind `key`."""

    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "replace": (say.REPLACE_LABEL, discord.ButtonStyle.danger),
        "keep": (say.KEEP_BOTH_LABEL, discord.ButtonStyle.secondary),
        "remove": (say.REMOVE_LABEL, discord.ButtonStyle.danger),
    }

    def __init__(self, action: str, key: str) -> None:
        label, style = self.LABELS[action]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"bb:lib:{action}:{key}")
        )
        self.action = action
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> LibraryButton:
        """Rebuild the button from its custom_id."""
        return cls(match["action"], match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Moderators only; then the change waiting behind the button."""
        cog = interaction.client.get_cog("LibraryCog")
        try:
            moderators_only(interaction)
            await cog.clicked(interaction, self.action, self.key)
        except Exception as exc:  # one private line for the user, the traceback for bugs
            await report_error(interaction, exc)


class LibraryCog(commands.Cog):
    """The library commands."""

    brief = app_commands.Group(name="brief", description="The briefs of this server's library")

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.pending: OrderedDict[str, Pending] = OrderedDict()
        self._watcher: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start watching the library folders, when the config asks for it."""
        period = self.bot.config.library.auto_refresh_seconds
        if period > 0:
            self._watcher = asyncio.create_task(watch(self.bot.libraries, period))

    async def cog_unload(self) -> None:
        """Stop watching."""
        if self._watcher is not None:
            self._watcher.cancel()

    def _remember(self, pending: Pending) -> str:
        key = secrets.token_hex(5)
        self.pending[key] = pending
        while len(self.pending) > MAX_PENDING:
            self.pending.popitem(last=False)
        return key

    @brief.command(name="add")
    @app_commands.guild_only()
    @app_commands.check(moderators_only)
    @app_commands.describe(
        file="A .txt, .md, .html or .pdf file",
        url="A link to a web page, a PDF or a text file",
        title="The title to list it under (default: the document's own)",
        publisher="Who published it",
        date="When it was published, e.g. 2024-05-01",
    )
    async def add(
        self,
        interaction: discord.Interaction[BriefBot],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
        title: app_commands.Range[str, 1, 200] | None = None,
        publisher: app_commands.Range[str, 1, 200] | None = None,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        """Add a brief from a file or a link (moderators only)."""
        if (file is None) == (url is None):
            await send_private(interaction, say.ONE_SOURCE)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        slot = await self.bot.libraries.slot(interaction.guild_id)
        name = file.filename if file is not None else str(url)
        try:
            candidate = await self._candidate(file, url, title, publisher, date)
            if slot.holder is not None:
                check_candidate(candidate, slot.holder.library)
        except SameTitle as exc:
            key = self._remember(Pending("add", slot.name, exc.brief_id, candidate))
            view = discord.ui.View(timeout=None)
            view.add_item(LibraryButton("replace", key))
            view.add_item(LibraryButton("keep", key))
            text = escape(say.problem_text(exc))
            await send(interaction, text_reply(text), ephemeral=True, view=view)
            return
        except (ShelfError, BriefError) as exc:
            audit.record(interaction, slot, "add", name, f"refused: {say.problem_text(exc)}")
            await send_private(interaction, escape(say.problem_text(exc)))
            return
        await self._add(interaction, slot, candidate, None)

    async def _candidate(
        self,
        file: discord.Attachment | None,
        url: str | None,
        title: str | None,
        publisher: str | None,
        date: str | None,
    ) -> Candidate:
        """The brief in the attachment or behind the link, read in a thread."""
        limits = self.bot.config.library
        source_url = None
        if file is not None:
            if file.size > limits.max_attachment_bytes:
                raise TooLarge(file.size, limits.max_attachment_bytes)  # not even downloaded
            data, filename = await file.read(), file.filename
        else:
            assert url is not None
            fetched = await asyncio.to_thread(
                fetch,
                url.strip(),
                allow_hosts=frozenset(limits.allow_hosts),
                max_bytes=limits.fetch_max_bytes,
                timeout=limits.fetch_timeout,
            )
            data, filename, source_url = fetched.body, f"link{fetched.suffix}", fetched.final_url
        max_bytes = limits.max_attachment_bytes if file is not None else limits.fetch_max_bytes
        return await asyncio.to_thread(
            read_candidate,
            data,
            filename,
            max_bytes=max_bytes,
            url=source_url,
            title=title,
            publisher=publisher,
            date=date,
        )

    async def _add(
        self,
        interaction: discord.Interaction[BriefBot],
        slot: Slot,
        candidate: Candidate,
        replacing: str | None,
    ) -> None:
        """Write the brief, refresh the index while the old one answers, then report."""
        action = "replace" if replacing else "add"
        if slot.lock.locked():
            await send_private(interaction, say.BUSY)
            return
        async with slot.lock:
            try:
                change = await asyncio.to_thread(
                    library_changes.add, slot.config, slot.holder, candidate, replacing
                )
            except (ShelfError, BriefError, OSError) as exc:
                log.warning("Could not add %r to library %s: %s", candidate.title, slot.name, exc)
                audit.record(interaction, slot, action, candidate.title, f"failed: {exc}")
                await send_private(interaction, escape(say.problem_text(exc)))
                return
            slot.serve(change.library)
        audit.record(interaction, slot, action, change.brief_id, "ok")
        await self._mod_log(interaction, slot, action, candidate.title)
        await send(interaction, text_reply(added_report(candidate, action)), ephemeral=True)

    @brief.command(name="remove")
    @app_commands.guild_only()
    @app_commands.check(moderators_only)
    @app_commands.describe(brief="The brief to remove")
    async def remove(self, interaction: discord.Interaction[BriefBot], brief: str) -> None:
        """Remove a brief from the library, after a confirmation (moderators only)."""
        slot = await self.bot.libraries.slot(interaction.guild_id)
        if slot.holder is None:
            await send_private(interaction, say.EMPTY_LIBRARY)
            return
        library = slot.holder.library
        try:
            brief_id = find_brief(library, brief)
        except ShelfError as exc:
            await send_private(interaction, escape(say.problem_text(exc)))
            return
        info = library.briefs[brief_id]
        key = self._remember(Pending("remove", slot.name, brief_id))
        view = discord.ui.View(timeout=None)
        view.add_item(LibraryButton("remove", key))
        text = say.REMOVE_CONFIRM.format(title=escape(info.title), paragraphs=info.paragraphs)
        await send(interaction, text_reply(text), ephemeral=True, view=view)

    @remove.autocomplete("brief")
    async def _brief_titles(
        self, interaction: discord.Interaction[BriefBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Titles of this server's briefs that contain what was typed."""
        return brief_choices(self.bot, interaction.guild_id, current)

    @brief.command(name="list")
    async def list_briefs(self, interaction: discord.Interaction[BriefBot]) -> None:
        """List the briefs of this server's library."""
        slot = await self.bot.libraries.slot(interaction.guild_id)
        if slot.holder is None:
            await send_private(interaction, say.EMPTY_LIBRARY)
            return
        library = slot.holder.library
        counts = library.passage_counts()
        rows = [
            SourceRow(b.title, b.publisher, b.url, b.paragraphs, counts.get(b.id, 0))
            for b in library.briefs.values()
        ]
        await send(interaction, sources_reply(rows, library.built_at), ephemeral=False)

    async def clicked(
        self, interaction: discord.Interaction[BriefBot], action: str, key: str
    ) -> None:
        """Carry out the change behind a Replace / Keep both / Remove button."""
        pending = self.pending.pop(key, None)
        slot = await self.bot.libraries.slot(interaction.guild_id)
        if pending is None or pending.library != slot.name:
            await send_private(interaction, say.EXPIRED)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if pending.candidate is not None:
            replacing = pending.brief_id if action == "replace" else None
            await self._add(interaction, slot, pending.candidate, replacing)
        else:
            await self._remove(interaction, slot, pending.brief_id)

    async def _remove(
        self, interaction: discord.Interaction[BriefBot], slot: Slot, brief_id: str
    ) -> None:
        """Delete the brief's files and refresh the index while the old one answers."""
        holder = slot.holder
        if holder is None or brief_id not in holder.library.briefs:
            await send_private(interaction, say.EXPIRED)
            return
        title = holder.library.briefs[brief_id].title
        async with slot.lock:
            try:
                change = await asyncio.to_thread(
                    library_changes.remove, slot.config, holder, brief_id
                )
            except library_changes.LastBrief:
                await send_private(interaction, say.LAST_BRIEF)
                return
            except (ShelfError, BriefError, OSError) as exc:
                audit.record(interaction, slot, "remove", brief_id, f"failed: {exc}")
                await send_private(interaction, escape(say.problem_text(exc)))
                return
            holder.swap(change.library)
        audit.record(interaction, slot, "remove", brief_id, "ok")
        await self._mod_log(interaction, slot, "removed", title)
        await send_private(interaction, say.REMOVED.format(title=escape(title)))

    async def _mod_log(
        self, interaction: discord.Interaction[BriefBot], slot: Slot, action: str, title: str
    ) -> None:
        """Post the change in the library's mod-log channel, when there is one (no pings)."""
        channel_id = slot.config.library.mod_log_channel_id
        if channel_id is None:
            return
        verb = {"add": "added", "replace": "replaced"}.get(action, action)
        text = say.MOD_LOG.format(
            moderator=escape(str(interaction.user)), action=verb, brief=escape(title), result="ok"
        )
        try:
            channel = self.bot.get_partial_messageable(channel_id)
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("Could not post in the mod-log channel %s", channel_id, exc_info=True)


def added_report(candidate: Candidate, action: str) -> str:
    """What was understood: title, paragraph count, the first paragraph, what was dropped."""
    brief = candidate.brief
    head = say.REPLACED if action == "replace" else say.ADDED
    lines = [head.format(title=escape(candidate.title), paragraphs=len(brief.paragraphs))]
    lines.append(say.PREVIEW.format(preview=escaped_cut(candidate.preview(), PREVIEW_CHARS)))
    dropped = ", ".join(brief.dropped)
    lines.append(
        say.DROPPED.format(dropped=escaped_cut(dropped, 400)) if dropped else say.NOTHING_DROPPED
    )
    return "\n".join(lines)


def brief_choices(
    bot: BriefBot, guild_id: int | None, typed: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete: the titles of the server's briefs containing `typed` (ids as values)."""
    slot = bot.libraries.opened(guild_id)
    if slot is None or slot.holder is None:
        return []
    folded = typed.casefold()
    return [
        app_commands.Choice(name=button_label(b.title), value=b.id)
        for b in slot.holder.library.briefs.values()
        if folded in b.title.casefold() or folded in b.id.casefold()
    ][:25]


async def setup(bot: BriefBot) -> None:
    """The extension's entry point; the buttons work after a restart while remembered."""
    await bot.add_cog(LibraryCog(bot))
    bot.add_dynamic_items(LibraryButton)


async def teardown(bot: BriefBot) -> None:
    """Forget the buttons when the extension is unloaded."""
    bot.remove_dynamic_items(LibraryButton)
