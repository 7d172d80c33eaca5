"""Study tools: Cite, Why? and 👍/👎 on answers, /cite, /gaps, /quiz and the "Check against
the brief" message command. The answer buttons act on answers kept in the feedback file
(bot/feedback.py), so they work after a restart; the quiz buttons carry their seed."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot import study_messages as say
from bot.citing import quoted_paragraphs, style_blocks
from bot.cogs.admin import is_moderator
from bot.console_study import LETTERS
from bot.feedback import FeedbackStore, answer_key
from bot.interactions import (
    NotModerator,
    off_loop,
    send,
    send_private,
    server_holder,
)
from bot.render import button_label, escape
from bot.render_study import (
    check_reply,
    discord_brief,
    gaps_reply,
    quiz_reply,
    reference_list_reply,
)
from bot.study_buttons import (
    COG_NAME,
    CiteButton,
    QuizButton,
    VoteButton,
    WhyButton,
    guild_of,
    quiz_from,
    quiz_id,
    short_hash,
)
from index import Answer, Hit
from index.cite import STYLES
from index.claims import check_claim
from index.diff import text_hash

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)

DAY_SECONDS = 86_400.0
QUIZ_SEED_MAX = 2**31


async def _moderators_only(interaction: discord.Interaction[BriefBot]) -> bool:
    """The bot-side check, as for /reindex: `default_permissions` only hides the command."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not is_moderator(interaction, interaction.client.config.discord.moderator_role_ids):
        raise NotModerator()
    return True


STYLE_CHOICES = [app_commands.Choice(name=say.STYLE_NAMES[s], value=s) for s in STYLES]


class StudyCog(commands.Cog, name=COG_NAME):
    """Citing, checking, explaining, feedback and quizzes."""

    def __init__(self, bot: BriefBot, store: FeedbackStore) -> None:
        self.bot = bot
        self.store = store
        self.menu = app_commands.ContextMenu(
            name="Check against the brief", callback=self.check_message
        )
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the message command and close the feedback file."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.store.close()

    # --- answers (called by bot/cogs/ask.py) ---------------------------------------------

    async def remember(
        self,
        interaction: discord.Interaction[BriefBot],
        answer: Answer,
        shown: Sequence[Hit],
        *,
        public: bool,
        first_page: bool,
    ) -> str | None:
        """Keep what an answer quoted and (on its first page) the question and verdict, for
        /gaps; return the key its buttons carry (None when nothing was quoted)."""
        quoted = [(h.passage_id, text_hash(h.text)) for h in shown]
        guild = guild_of(interaction)
        verdict = "answered" if answer.verdict == "answered" else "not_covered"
        closest = answer.hits[0].passage_id if answer.hits else None
        key = answer_key(answer.question, [p for p, _ in quoted], short_hash(repr(quoted), 16))

        def write() -> None:
            if first_page:
                self.store.record_question(
                    guild, answer.question, verdict, closest, key if quoted else None
                )
            if quoted:
                channel = interaction.channel_id or 0
                self.store.remember_answer(guild, channel, key, answer.question, quoted, public)

        await asyncio.to_thread(write)
        return key if quoted else None

    @staticmethod
    def buttons(key: str) -> list[discord.ui.Item[discord.ui.View]]:
        """Cite, Why?, 👍 and 👎 for the answer kept under `key` (one row)."""
        items: list[Any] = [CiteButton(key), WhyButton(key), VoteButton(key, "u")]
        return [*items, VoteButton(key, "d")]

    # --- commands ---------------------------------------------------------------------

    @app_commands.command(name="cite")
    @app_commands.describe(style="Citation style (default APA 7)")
    @app_commands.choices(style=STYLE_CHOICES)
    async def cite(self, interaction: discord.Interaction[BriefBot], style: str = "apa") -> None:
        """List the references of the passages quoted here in the last day."""
        channel = interaction.channel_id or 0
        sent = await asyncio.to_thread(
            self.store.quoted, guild_of(interaction), channel, DAY_SECONDS
        )
        holder = await server_holder(interaction)
        if holder is None:
            return
        library = holder.library
        ids = list(dict.fromkeys(pid for answer in sent for pid, _ in answer.passages))
        passages = quoted_paragraphs(library, ids)
        lines: list[str] = []
        if passages:
            (block,) = style_blocks(library, passages, [style], prepare=discord_brief)
            lines = [*block.references, *block.in_text]
        await send(interaction, reference_list_reply(style, lines), ephemeral=True)

    @app_commands.command(name="gaps")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(_moderators_only)
    async def gaps(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Questions the briefs did not answer, most asked first (moderators only)."""
        days = self.bot.config.feedback.retention_days
        found = await asyncio.to_thread(self.store.gaps, guild_of(interaction), days)
        holder = await server_holder(interaction)
        if holder is None:
            return
        await send(interaction, gaps_reply(found, holder.library, days), ephemeral=True)

    @app_commands.command(name="quiz")
    @app_commands.describe(brief="Which brief (default: any)")
    async def quiz(
        self, interaction: discord.Interaction[BriefBot], brief: str | None = None
    ) -> None:
        """A fill-in-the-blank question from a sentence of the brief."""
        holder = await server_holder(interaction)
        if holder is None:
            return
        library = holder.library
        brief_id = None
        if brief is not None:
            folded = brief.strip().casefold()
            brief_id = next(
                (
                    b.id
                    for b in library.briefs.values()
                    if folded in (b.id.casefold(), b.title.casefold())
                ),
                None,
            )
            if brief_id is None:
                await send_private(
                    interaction, messages.UNKNOWN_BRIEF.format(brief=escape(brief[:100]))
                )
                return
        seed = secrets.randbelow(QUIZ_SEED_MAX)
        quiz = await off_loop(interaction, quiz_from, library, seed, brief_id, ephemeral=False)
        if quiz is None:
            await send_private(interaction, say.QUIZ_NONE)
            return
        passage = library.passage(quiz.passage_id)
        title = library.briefs[passage.brief].title if passage else ""
        view = discord.ui.View(timeout=None)
        for i, choice in enumerate(quiz.choices):
            _, _, s, b, q, _ = quiz_id(seed, brief_id, quiz, i).split(":")
            view.add_item(QuizButton(int(s), b, q, i, f"({LETTERS[i]}) {choice}"))
        await send(interaction, quiz_reply(quiz, title), ephemeral=False, view=view)

    @quiz.autocomplete("brief")
    async def _brief_names(
        self, interaction: discord.Interaction[BriefBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Brief ids whose id or title contains what the user typed."""
        typed = current.casefold()
        slot = await self.bot.libraries.slot(interaction.guild_id)
        if slot.holder is None:
            return []
        return [
            app_commands.Choice(name=button_label(b.title), value=b.id)
            for b in slot.holder.library.briefs.values()
            if typed in b.id.casefold() or typed in b.title.casefold()
        ][:25]

    async def check_message(
        self, interaction: discord.Interaction[BriefBot], message: discord.Message
    ) -> None:
        """Check a message's claim against the briefs."""
        text = message.content.strip()
        if not text:
            await send_private(interaction, messages.EMPTY_MESSAGE)
            return
        holder = await server_holder(interaction)
        if holder is None:
            return
        searcher = holder.current
        checked = await off_loop(interaction, check_claim, searcher, text, ephemeral=False)
        await send(interaction, check_reply(checked), ephemeral=False)


async def setup(bot: BriefBot) -> None:
    """The extension's entry point: opens the feedback file in the data folder."""
    config = bot.config
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = FeedbackStore(
        config.feedback_path,
        retention_days=config.feedback.retention_days,
        store_user_ids=config.feedback.store_user_ids,
    )
    await bot.add_cog(StudyCog(bot, store))
    bot.add_dynamic_items(CiteButton, WhyButton, VoteButton, QuizButton)


async def teardown(bot: BriefBot) -> None:
    """Forget the buttons when the extension is unloaded."""
    bot.remove_dynamic_items(CiteButton, WhyButton, VoteButton, QuizButton)
