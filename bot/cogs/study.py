"""Study tools: Cite, Why? and 👍/👎 on answers, /cite, /gaps, /quiz and the "Check against
the brief" message command. The answer buttons act on answers kept in the feedback file
(bot/feedback.py), so they work after a restart; the quiz buttons carry their seed."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import messages
from bot import study_messages as say
from bot.citing import changed_since, quoted_paragraphs, style_blocks
from bot.cogs.admin import is_moderator
from bot.console_study import LETTERS
from bot.feedback import FeedbackStore, SentAnswer, answer_key
from bot.interactions import (
    GuardedClick,
    NotModerator,
    off_loop,
    send,
    send_private,
    server_holder,
)
from bot.render import button_label, escape
from bot.render_study import (
    check_reply,
    cite_reply,
    discord_brief,
    gaps_reply,
    quiz_reply,
    quiz_reveal,
    reference_list_reply,
    why_reply,
)
from index import Answer, Hit, Library
from index.claims import check_claim
from index.diff import text_hash
from index.explain import explain
from index.quiz import BLANK, QuizQuestion, make_question
from index.styles import STYLES

if TYPE_CHECKING:
    from bot.client import BriefBot

log = logging.getLogger(__name__)

COG_NAME = "StudyCog"
DAY_SECONDS = 86_400.0
# The row of the answer buttons (Context buttons use row 0, More row 1).
ANSWER_ROW = 2
QUIZ_SEED_MAX = 2**31


def _guild(interaction: discord.Interaction[Any]) -> int:
    return interaction.guild_id or 0


def _short(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _cog(interaction: discord.Interaction[BriefBot]) -> StudyCog:
    cog = interaction.client.get_cog(COG_NAME)
    assert isinstance(cog, StudyCog)
    return cog


async def _sent(interaction: discord.Interaction[BriefBot], key: str) -> SentAnswer | None:
    """The answer behind a button, or None after telling the user it is gone."""
    sent = await asyncio.to_thread(_cog(interaction).store.answer, key)
    if sent is None:
        await send_private(interaction, say.ANSWER_EXPIRED)
    return sent


def _change_notes(library: Library, sent: SentAnswer) -> list[str]:
    """What changed since the answer was sent, if anything."""
    changed, gone = changed_since(library, sent.passages)
    notes = []
    if changed:
        notes.append(say.CHANGED_SINCE.format(locators=", ".join(changed)))
    if gone:
        notes.append(say.GONE_SINCE.format(locators=", ".join(gone)))
    return notes


class CiteButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:cite:(?P<key>[0-9a-f]{32})",
):
    """ "Cite": the quoted passages' references in APA, MLA and Chicago, privately."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=say.CITE_LABEL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"bb:cite:{key}",
                row=ANSWER_ROW,
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CiteButton:
        """Rebuild the button from its custom_id."""
        return cls(match["key"])

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Every style's reference, noting passages changed since."""
        sent = await _sent(interaction, self.key)
        if sent is None:
            return
        holder = await server_holder(interaction)
        if holder is None:
            return
        library = holder.library
        passages = quoted_paragraphs(library, [pid for pid, _ in sent.passages])
        blocks = style_blocks(library, passages, prepare=discord_brief)
        await send(interaction, cite_reply(blocks, _change_notes(library, sent)), ephemeral=True)


class WhyButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:why:(?P<key>[0-9a-f]{32})",
):
    """ "Why?": the numbers the search ranked each quoted passage by, privately."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=say.WHY_LABEL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"bb:why:{key}",
                row=ANSWER_ROW,
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> WhyButton:
        """Rebuild the button from its custom_id."""
        return cls(match["key"])

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Explain the answer with the current index (noting passages changed since)."""
        sent = await _sent(interaction, self.key)
        if sent is None:
            return
        holder = await server_holder(interaction)
        if holder is None:
            return
        searcher = holder.current
        ids = [pid for pid, _ in sent.passages]
        explanation = await off_loop(
            interaction, explain, searcher, sent.question, ids, ephemeral=True
        )
        notes = _change_notes(searcher.library, sent)
        await send(interaction, why_reply(explanation, searcher.library, notes), ephemeral=True)


class VoteButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:vote:(?P<key>[0-9a-f]{32}):(?P<way>[ud])",
):
    """👍 or 👎: one vote per user per answer, changeable."""

    def __init__(self, key: str, way: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=say.UP_LABEL if way == "u" else say.DOWN_LABEL,
                style=discord.ButtonStyle.secondary,
                custom_id=f"bb:vote:{key}:{way}",
                row=ANSWER_ROW,
            )
        )
        self.key = key
        self.way = way

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        """Rebuild the button from its custom_id."""
        return cls(match["key"], match["way"])

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Record the vote (replacing the user's earlier one) and show the tally."""
        up = self.way == "u"
        store = _cog(interaction).store
        tally = await asyncio.to_thread(
            store.vote, _guild(interaction), self.key, interaction.user.id, up
        )
        text = (say.VOTED_UP if up else say.VOTED_DOWN).format(up=tally.up, down=tally.down)
        await send_private(interaction, text)


def quiz_id(seed: int, brief: str | None, quiz: QuizQuestion, choice: int) -> str:
    """The custom_id of one choice: the seed and hashes to make the same question again."""
    where = _short(brief, 8) if brief else "-"
    return f"bb:quiz:{seed}:{where}:{_short(quiz.sentence_with_blank + quiz.answer, 6)}:{choice}"


class QuizButton(
    GuardedClick,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:quiz:(?P<seed>\d+):(?P<brief>[0-9a-f]{8}|-):(?P<q>[0-9a-f]{6}):(?P<pick>[0-3])",
):
    """One of a quiz question's four choices: reveals the answer with its citation."""

    def __init__(self, seed: int, brief: str, q: str, pick: int, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=button_label(label or f"({LETTERS[pick]})"),
                style=discord.ButtonStyle.primary,
                custom_id=f"bb:quiz:{seed}:{brief}:{q}:{pick}",
                row=0,
            )
        )
        self.seed, self.brief, self.q, self.pick = seed, brief, q, pick

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> QuizButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["seed"]), match["brief"], match["q"], int(match["pick"]))

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """Make the question again from its seed; reveal the answer, or say it changed."""
        holder = await server_holder(interaction)
        if holder is None:
            return
        library = holder.library
        brief = None
        if self.brief != "-":
            brief = next((b for b in library.briefs if _short(b, 8) == self.brief), None)
        quiz = None
        if self.brief == "-" or brief is not None:
            quiz = await asyncio.to_thread(_quiz, library, self.seed, brief)
        passage = library.passage(quiz.passage_id) if quiz else None
        if (
            quiz is None
            or passage is None
            or quiz_id(self.seed, brief, quiz, 0).split(":")[4] != self.q
        ):
            await send_private(interaction, say.QUIZ_CHANGED)
            return
        sentence = quiz.sentence_with_blank.replace(BLANK, quiz.answer, 1)
        reply = quiz_reveal(quiz, self.pick, library.citation(passage), sentence)
        await send(interaction, reply, ephemeral=True)


def _quiz(library: Library, seed: int, brief: str | None) -> QuizQuestion | None:
    passages = [library.passages[i] for i in range(len(library.passages))]
    return make_question(passages, seed, brief, aliases=library.alias_groups)


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
        guild = _guild(interaction)
        verdict = "answered" if answer.verdict == "answered" else "not_covered"
        closest = answer.hits[0].passage_id if answer.hits else None
        key = answer_key(answer.question, [p for p, _ in quoted], _short(repr(quoted), 16))

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
        sent = await asyncio.to_thread(self.store.quoted, _guild(interaction), channel, DAY_SECONDS)
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
        found = await asyncio.to_thread(self.store.gaps, _guild(interaction), days)
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
        quiz = await off_loop(interaction, _quiz, library, seed, brief_id, ephemeral=False)
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
