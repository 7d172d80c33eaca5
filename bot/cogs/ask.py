"""/ask, /passage, /sources, the "Ask the brief" message command, and the answer buttons."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot.config import Config
from bot.holder import Pending
from bot.interactions import GuardedClick, off_loop, send, send_private, server_holder
from bot.limits import MAX_RESULTS_PER_PAGE
from bot.render import (
    MAX_CUSTOM_ID,
    Reply,
    SourceRow,
    answer_reply,
    button_label,
    context_reply,
    escape,
    passage_reply,
    sources_reply,
)
from index import Answer, Hit, Library
from index.cite import locator
from index.limits import MAX_QUESTION_CHARS, MAX_RESULTS

if TYPE_CHECKING:
    from bot.client import BriefBot
    from index.library import BriefInfo

# The core returns at most 10 hits per search, so "More" stops there.
MAX_PAGED_RESULTS = MAX_RESULTS


def default_count(config: Config) -> int:
    """Passages /ask quotes when the asker does not say: discord.default_results, else
    search.top_k (the command line's default too), at most one page."""
    return min(config.discord.default_results or config.search.top_k, MAX_RESULTS_PER_PAGE)


class MoreButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:more:(?P<key>[0-9a-f]+):(?P<offset>\d+)",
):
    """The "More" button: the next page of passages for a remembered question."""

    def __init__(self, key: str, offset: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=messages.MORE_LABEL,
                style=discord.ButtonStyle.primary,
                custom_id=f"bb:more:{key}:{offset}",
                row=1,
            )
        )
        self.key = key
        self.offset = offset

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MoreButton:
        """Rebuild the button from its custom_id."""
        return cls(match["key"], int(match["offset"]))

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Send the next page privately."""
        pending = interaction.client.memo.get(self.key)
        if pending is None:
            await send_private(interaction, messages.EXPIRED)
            return
        await _answer(interaction, pending.question, pending.count, True, self.offset)


class ContextButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:ctx:(?P<brief>.+):(?P<number>-?\d+)",
):
    """The "Context ¶n" button: the paragraphs before and after paragraph n; for the
    standfirst (0), it and ¶1; for a photo caption (-n), ¶n-1, the caption and ¶n."""

    def __init__(self, brief: str, number: int, paragraphs: int = 0) -> None:
        # `paragraphs`, the brief's count, names a caption after its last paragraph; a
        # click rebuilds the button without it, and its label is not shown again.
        where = locator(number, paragraphs=paragraphs)
        super().__init__(
            discord.ui.Button(
                label=button_label(messages.CONTEXT_LABEL.format(locator=where)),
                style=discord.ButtonStyle.secondary,
                custom_id=f"bb:ctx:{brief}:{number}",
                row=0,
            )
        )
        self.brief = brief
        self.number = number

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ContextButton:
        """Rebuild the button from its custom_id."""
        return cls(match["brief"], int(match["number"]))

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Send the surrounding paragraphs privately."""
        holder = await server_holder(interaction)
        if holder is None:
            return
        index = holder.library
        # Each paragraph read once: the quoted one's passages also give its page.
        read = (
            {n: index.paragraph(self.brief, n) for n in around(self.number)}
            if self.brief in index.briefs
            else {}
        )
        quoted = read.get(self.number)
        if not quoted:
            await send_private(interaction, messages.CONTEXT_GONE)
            return
        reply = context_reply(
            index.cite(self.brief, self.number, page=quoted[0].page),
            [(n, [p.text for p in passages]) for n, passages in read.items() if passages],
            self.number,
            index.briefs[self.brief].paragraphs,
        )
        await send(interaction, reply, ephemeral=True)


_CONTEXT_ID = ContextButton.__discord_ui_compiled_template__


def around(number: int) -> list[int]:
    """The paragraph numbers a Context reply shows for `number`, in reading order: the
    body paragraphs either side of ¶n; the standfirst and ¶1; for the caption standing
    before ¶n, ¶n-1, the caption and ¶n (index.passages numbers them 0 and -n)."""
    if number > 0:
        return [n for n in (number - 1, number, number + 1) if n >= 1]
    if number == 0:
        return [0, 1]
    return [n for n in (-number - 1, number, -number) if n != 0]


def _shown(answer: Answer, offset: int, count: int) -> tuple[Hit, ...]:
    """The hits a page of the answer quotes."""
    if answer.verdict == "not_covered":
        return answer.shown()
    return answer.hits[offset : offset + count]


def _view(
    answer: Answer,
    briefs: Mapping[str, BriefInfo],
    key: str | None,
    offset: int,
    count: int,
    study: list[discord.ui.Item[discord.ui.View]] | None = None,
) -> discord.ui.View | None:
    """Context buttons for the hits shown, "More" when further hits exist, and the study
    buttons (Cite, Why?, votes) when the study extension gave some."""
    shown = _shown(answer, offset, count)
    view = discord.ui.View(timeout=None)
    for item in study or []:
        view.add_item(item)
    seen = set()
    for hit in shown:
        cite = hit.citation
        custom_id = f"bb:ctx:{cite.brief}:{cite.paragraph}"
        # A brief id too long for a custom_id, or one the button's template cannot read back
        # (a file name with a line break), gets no Context button rather than a broken one.
        fits = len(custom_id) <= MAX_CUSTOM_ID and _CONTEXT_ID.fullmatch(custom_id)
        if (cite.brief, cite.paragraph) not in seen and fits:
            seen.add((cite.brief, cite.paragraph))
            paragraphs = briefs[cite.brief].paragraphs
            view.add_item(ContextButton(cite.brief, cite.paragraph, paragraphs))
    if key is not None and answer.verdict != "not_covered" and len(answer.hits) > offset + count:
        view.add_item(MoreButton(key, offset + count))
    return view if view.children else None


async def _answer(
    interaction: discord.Interaction[BriefBot],
    question: str,
    count: int,
    private: bool,
    offset: int = 0,
    brief: str | None = None,
) -> None:
    """Search in a thread and send the page of hits starting at `offset`; with `brief`,
    only that brief's passages."""
    bot = interaction.client
    holder = await server_holder(interaction)
    if holder is None:
        return
    searcher = holder.current
    # One more than shown, to know whether a "More" button has anything to show.
    wanted = MAX_RESULTS if brief else min(offset + count + 1, MAX_PAGED_RESULTS)
    answer = await off_loop(
        interaction, searcher.search, question, wanted, brief, ephemeral=private
    )
    reply: Reply = answer_reply(answer, offset, count)
    key = None
    more = answer.verdict != "not_covered" and len(answer.hits) > offset + count
    if more and brief is None:
        key = bot.memo.put(Pending(question, count))
    missed = answer.verdict == "not_covered" or (not answer.about and offset >= len(answer.hits))
    study = await _study_buttons(interaction, answer, offset, count, not (private or missed))
    if missed and not private and interaction.response.is_done():
        # Deferred in public, but a miss is for the asker only: drop the public placeholder.
        await interaction.delete_original_response()
    view = _view(answer, searcher.library.briefs, key, offset, count, study)
    await send(interaction, reply, ephemeral=private or missed, view=view)


async def _study_buttons(
    interaction: discord.Interaction[BriefBot],
    answer: Answer,
    offset: int,
    count: int,
    public: bool,
) -> list[discord.ui.Item[discord.ui.View]]:
    """Record the answer with the study extension (bot/cogs/study.py) when it is loaded,
    and its buttons for an answer that quotes passages (none for a miss)."""
    study = interaction.client.get_cog("StudyCog")
    if study is None:
        return []
    key = await study.remember(  # type: ignore[attr-defined]
        interaction, answer, _shown(answer, offset, count), public=public, first_page=offset == 0
    )
    if key is None or answer.verdict == "not_covered":
        return []
    return study.buttons(key)  # type: ignore[attr-defined, no-any-return]


class AskCog(commands.Cog):
    """Questions and passages, for everyone."""

    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Ask the brief", callback=self.ask_message)
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the message command, which lives on the tree rather than in the cog."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="Your question about the brief",
        results=f"How many passages to quote (1-{MAX_RESULTS_PER_PAGE})",
        private="Only you see the answer",
        brief="Search one brief only (default: all of this server's briefs)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[BriefBot],
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        results: app_commands.Range[int, 1, MAX_RESULTS_PER_PAGE] | None = None,
        private: bool = False,
        brief: str | None = None,
    ) -> None:
        """Answer a question by quoting the brief, with citations."""
        count = results or default_count(self.bot.config)
        brief_id = None
        if brief is not None:
            holder = await server_holder(interaction)
            if holder is None:
                return
            brief_id, problem = _which_brief(holder.library, brief)
            if brief_id is None:
                await send_private(interaction, problem)
                return
        await _answer(interaction, question, count, private, brief=brief_id)

    @ask.autocomplete("brief")
    async def _ask_brief_names(
        self, interaction: discord.Interaction[BriefBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Titles of this server's briefs containing what the user typed."""
        return _brief_choices(self.bot, interaction.guild_id, current)

    async def ask_message(
        self, interaction: discord.Interaction[BriefBot], message: discord.Message
    ) -> None:
        """Search the brief with the text of a message."""
        text = message.content.strip()
        if not text:
            await send_private(interaction, messages.EMPTY_MESSAGE)
            return
        await _answer(interaction, text, default_count(self.bot.config), False)

    @app_commands.command(name="passage")
    @app_commands.describe(number="Paragraph number", brief="Which brief (when there are several)")
    async def passage(
        self,
        interaction: discord.Interaction[BriefBot],
        number: app_commands.Range[int, 1, 100_000],
        brief: str | None = None,
    ) -> None:
        """Quote one paragraph of the brief, with its citation."""
        holder = await server_holder(interaction)
        if holder is None:
            return
        index = holder.library
        brief_id, problem = _which_brief(index, brief)
        if brief_id is None:
            await send_private(interaction, problem)
            return
        info = index.briefs[brief_id]
        texts = [p.text for p in index.paragraph(brief_id, number)]
        if not texts:
            await send_private(
                interaction,
                messages.PASSAGE_OUT_OF_RANGE.format(
                    title=escape(info.title), count=info.paragraphs
                ),
            )
            return
        citation = index.cite(brief_id, number)
        await send(interaction, passage_reply(citation, texts), ephemeral=False)

    @passage.autocomplete("brief")
    async def _brief_names(
        self, interaction: discord.Interaction[BriefBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Brief ids whose id or title contains what the user typed (this server's)."""
        return _brief_choices(self.bot, interaction.guild_id, current)

    @app_commands.command(name="sources")
    async def sources(self, interaction: discord.Interaction[BriefBot]) -> None:
        """List the briefs the bot answers from."""
        holder = await server_holder(interaction)
        if holder is None:
            return
        index = holder.library
        counts = index.passage_counts()
        rows = [
            SourceRow(b.title, b.publisher, b.url, b.paragraphs, counts.get(b.id, 0))
            for b in index.briefs.values()
        ]
        await send(interaction, sources_reply(rows, index.built_at), ephemeral=False)


def _brief_choices(
    bot: BriefBot, guild_id: int | None, current: str
) -> list[app_commands.Choice[str]]:
    """The server's briefs whose id or title contains `current`: titles shown, ids sent."""
    typed = current.casefold()
    slot = bot.libraries.opened(guild_id)
    if slot is None or slot.holder is None:
        return []
    return [
        app_commands.Choice(name=button_label(b.title), value=b.id)
        for b in slot.holder.library.briefs.values()
        if typed in b.id.casefold() or typed in b.title.casefold()
    ][:25]


def _which_brief(index: Library, name: str | None) -> tuple[str | None, str]:
    """The brief meant by `name` (id or title), or None and what to tell the user."""
    if name is None:
        if len(index.briefs) == 1:
            return next(iter(index.briefs)), ""
        return None, messages.WHICH_BRIEF.format(
            briefs=", ".join(escape(b) for b in sorted(index.briefs))
        )
    folded = name.strip().casefold()
    for brief in index.briefs.values():
        if folded in (brief.id.casefold(), brief.title.casefold()):
            return brief.id, ""
    return None, messages.UNKNOWN_BRIEF.format(brief=escape(name[:100]))


async def setup(bot: BriefBot) -> None:
    """The extension's entry point: the cog, and the answer buttons, which must be known to
    the bot to work after a restart (discord.py calls this from `load_extension`)."""
    await bot.add_cog(AskCog(bot))
    bot.add_dynamic_items(MoreButton, ContextButton)


async def teardown(bot: BriefBot) -> None:
    """Forget the buttons when the extension is unloaded."""
    bot.remove_dynamic_items(MoreButton, ContextButton)
