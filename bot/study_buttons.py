"""The study buttons on an answer (Cite, Why?, votes) and on a quiz: rebuilt from their
custom_id after a restart (discord.py DynamicItems), answering from the answer kept in the
feedback store. The commands are in bot/cogs/study.py."""

from __future__ import annotations

import asyncio
import hashlib
import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot import study_messages as say
from bot.citing import changed_since, quoted_paragraphs, style_blocks
from bot.console_study import LETTERS
from bot.feedback import FeedbackStore, SentAnswer
from bot.holder import IndexHolder
from bot.interactions import GuardedClick, off_loop, send, send_private, server_holder
from bot.render import button_label
from bot.render_study import cite_reply, discord_brief, quiz_reveal, why_reply
from index import Library
from index.explain import explain
from index.quiz import BLANK, QuizQuestion, make_question

if TYPE_CHECKING:
    from bot.client import BriefBot

COG_NAME = "StudyCog"
# The row of the answer buttons (Context buttons use row 0, More row 1).
ANSWER_ROW = 2


def guild_of(interaction: discord.Interaction[Any]) -> int:
    return interaction.guild_id or 0


def short_hash(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _store(interaction: discord.Interaction[BriefBot]) -> FeedbackStore:
    """The feedback store of the study extension (bot/cogs/study.py)."""
    store = getattr(interaction.client.get_cog(COG_NAME), "store", None)
    assert isinstance(store, FeedbackStore)
    return store


async def _sent(interaction: discord.Interaction[BriefBot], key: str) -> SentAnswer | None:
    """The answer behind a button, or None after telling the user it is gone."""
    sent = await asyncio.to_thread(_store(interaction).answer, key)
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


class _AnswerButton(GuardedClick):
    """A button under an answer that names it by its 32-hex-digit key ("bb:PREFIX:key").
    Each subclass gives its label, prefix and, as discord.py wants, its own template."""

    label: str
    prefix: str

    def __init__(self, key: str) -> None:
        super().__init__(  # type: ignore[call-arg]  # DynamicItem's, next in the MRO
            discord.ui.Button(
                label=self.label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"bb:{self.prefix}:{key}",
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
    ) -> Self:
        """Rebuild the button from its custom_id."""
        return cls(match["key"])

    async def reply(self, interaction: discord.Interaction[BriefBot]) -> None:
        """`answer` with the answer the button is under and the server's index; nothing
        more once the user has been told either is gone."""
        sent = await _sent(interaction, self.key)
        if sent is None:
            return
        holder = await server_holder(interaction)
        if holder is not None:
            await self.answer(interaction, sent, holder)

    async def answer(
        self, interaction: discord.Interaction[BriefBot], sent: SentAnswer, holder: IndexHolder
    ) -> None:
        """The button's own reply (each subclass's)."""
        raise NotImplementedError


class CiteButton(
    _AnswerButton,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:cite:(?P<key>[0-9a-f]{32})",
):
    """ "Cite": the quoted passages' references in APA, MLA and Chicago, privately."""

    label, prefix = say.CITE_LABEL, "cite"

    async def answer(
        self, interaction: discord.Interaction[BriefBot], sent: SentAnswer, holder: IndexHolder
    ) -> None:
        """Every style's reference, noting passages changed since."""
        library = holder.library
        passages = quoted_paragraphs(library, [pid for pid, _ in sent.passages])
        blocks = style_blocks(library, passages, prepare=discord_brief)
        await send(interaction, cite_reply(blocks, _change_notes(library, sent)), ephemeral=True)


class WhyButton(
    _AnswerButton,
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"bb:why:(?P<key>[0-9a-f]{32})",
):
    """ "Why?": the numbers the search ranked each quoted passage by, privately."""

    label, prefix = say.WHY_LABEL, "why"

    async def answer(
        self, interaction: discord.Interaction[BriefBot], sent: SentAnswer, holder: IndexHolder
    ) -> None:
        """Explain the answer with the current index (noting passages changed since)."""
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
        store = _store(interaction)
        tally = await asyncio.to_thread(
            store.vote, guild_of(interaction), self.key, interaction.user.id, up
        )
        text = (say.VOTED_UP if up else say.VOTED_DOWN).format(up=tally.up, down=tally.down)
        await send_private(interaction, text)


def quiz_id(seed: int, brief: str | None, quiz: QuizQuestion, choice: int) -> str:
    """The custom_id of one choice: the seed and hashes to make the same question again."""
    where = short_hash(brief, 8) if brief else "-"
    return (
        f"bb:quiz:{seed}:{where}:{short_hash(quiz.sentence_with_blank + quiz.answer, 6)}:{choice}"
    )


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
            brief = next((b for b in library.briefs if short_hash(b, 8) == self.brief), None)
        quiz = None
        if self.brief == "-" or brief is not None:
            quiz = await asyncio.to_thread(quiz_from, library, self.seed, brief)
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


def quiz_from(library: Library, seed: int, brief: str | None) -> QuizQuestion | None:
    passages = [library.passages[i] for i in range(len(library.passages))]
    return make_question(passages, seed, brief, aliases=library.alias_groups)
