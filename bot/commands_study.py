"""The study tools on the command line: check, gaps, quiz, and what `ask --cite` and
`ask --explain` add to an answer. Never imports discord."""

from __future__ import annotations

import sys

from bot import study_messages as say
from bot.citing import brief_blocks, quoted_paragraphs, style_blocks
from bot.config import Config
from bot.console import wrap
from bot.console_study import (
    LETTERS,
    format_check,
    format_explanation,
    format_quiz,
    format_styles,
    gap_lines,
    quiz_answer,
    quiz_question,
)
from bot.feedback import FeedbackStore
from index import Answer, Searcher
from index.cite import STYLES
from index.claims import check_claim
from index.explain import explain
from index.quiz import make_question


def answer_extras(searcher: Searcher, answer: Answer, cite: str | None, why: bool) -> str:
    """The references (in `cite`, or every style for "all") and the explanation of an answer."""
    ids = [h.passage_id for h in answer.shown()]
    parts = []
    styles = () if cite is None else STYLES if cite == "all" else (cite,)
    if cite and ids:
        passages = quoted_paragraphs(searcher.library, ids)
        parts.append(format_styles(style_blocks(searcher.library, passages, styles)))
    elif cite and answer.about:  # answered from the metadata: the briefs it is about
        briefs = [f.brief for f in answer.about]
        parts.append(format_styles(brief_blocks(searcher.library, briefs, styles)))
    if why and ids:
        parts.append(format_explanation(explain(searcher, answer.question, ids), searcher.library))
    return "\n\n".join(parts)


def cmd_check(searcher: Searcher, claim: str) -> int:
    """Print the passages bearing on `claim`, each marked, after the honesty note."""
    print(wrap(format_check(check_claim(searcher, claim)), indent="    "))
    return 0


def cmd_gaps(config: Config, searcher: Searcher, guild: int | None) -> int:
    """Print the not-covered and voted-down questions per server, most frequent first."""
    path = config.feedback_path
    days = config.feedback.retention_days
    if not path.is_file():
        print(say.GAPS_NONE.format(days=days))
        return 0
    with FeedbackStore(
        path, retention_days=days, store_user_ids=config.feedback.store_user_ids
    ) as store:
        guilds = [guild] if guild is not None else store.guilds()
        found = [(g, store.gaps(g, days)) for g in guilds]
    found = [(g, gaps) for g, gaps in found if gaps]
    if not found:
        print(say.GAPS_NONE.format(days=days))
    for g, gaps in found:
        print(say.GAPS_GUILD.format(guild_id=g))
        print(wrap("\n".join(gap_lines(gaps, searcher.library)), indent="    "))
    return 0


def cmd_quiz(searcher: Searcher, seed: int, brief: str | None) -> int:
    """Print the quiz question for `seed` with its choices and cited answer."""
    library = searcher.library
    passages = [library.passages[i] for i in range(len(library.passages))]
    quiz = make_question(passages, seed, brief, aliases=library.alias_groups)
    if quiz is None:
        print(say.QUIZ_NONE, file=sys.stderr)
        return 1
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # piped: the whole of it
        print(wrap(format_quiz(quiz, library), indent="    "))
        return 0
    # At a terminal, the answer waits for a pick, as the buttons make it wait on Discord.
    print(wrap(quiz_question(quiz), indent="    "))
    try:
        reply = input(say.QUIZ_PROMPT).strip(" ()").lower()  # "b", "B" or "(b)"
    except EOFError:  # Ctrl-D: no pick, only the answer
        reply = ""
        print()
    picked = LETTERS.index(reply[0]) if reply[:1] and reply[0] in LETTERS else None
    print(wrap(quiz_answer(quiz, library, picked), indent="    "))
    return 0
