"""The study tools' replies as Discord payloads within Discord's limits (pure, like
bot/render.py: plain data in, Reply out; quoted text and metadata escaped)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from bot import study_messages as say
from bot.citing import StyleBlock
from bot.console_study import LETTERS, gap_lines, why_lines
from bot.feedback import Gap
from bot.render import (
    COLOR_ANSWER,
    COLOR_CLOSEST,
    MAX_CONTENT,
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TITLE,
    MAX_EMBED_TOTAL,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    Reply,
    _embed_size,
    _safe_url,
    citation_line,
    cut,
    escape,
    escaped_cut,
)
from index import Citation, Library
from index.claims import ClaimCheck
from index.explain import Explanation
from index.library import BriefInfo
from index.quiz import QuizQuestion


def discord_brief(brief: BriefInfo) -> BriefInfo:
    """The brief's metadata escaped for Discord (the styles add only `*italics*` markers),
    its url dropped unless it is a plain http(s) link."""

    def esc(text: str | None) -> str | None:
        return escape(text) if text else text

    return dataclasses.replace(
        brief,
        title=escape(brief.title),
        publisher=esc(brief.publisher),
        author=esc(brief.author),
        url=_safe_url(brief.url),
    )


def _shrink(embed: dict[str, Any]) -> dict[str, Any]:
    """Halve the longest field until the embed fits Discord's total."""
    fields = embed.get("fields", [])
    while _embed_size(embed) > MAX_EMBED_TOTAL and fields:
        longest = max(fields, key=lambda f: len(f["value"]))
        longest["value"] = cut(longest["value"], len(longest["value"]) // 2)
    return embed


def _field(name: str, value: str) -> dict[str, Any]:
    return {
        "name": cut(name, MAX_FIELD_NAME),
        "value": cut(value, MAX_FIELD_VALUE) or "\u200b",
        "inline": False,
    }


def cite_reply(blocks: Sequence[StyleBlock], notes: Sequence[str] = ()) -> Reply:
    """Each style's reference and in-text citations (or first note), one field per style;
    `notes` (e.g. that a passage changed since) go above them."""
    fields = []
    for block in blocks[:MAX_FIELDS]:
        lines = list(block.references)
        if block.style == "chicago-notes":
            lines = [say.FIRST_NOTE.format(note=n) for n in block.in_text]
            lines += [say.BIBLIOGRAPHY.format(entry=r) for r in block.references]
        else:
            lines.append(say.IN_TEXT.format(citations="; ".join(block.in_text)))
        fields.append(_field(say.STYLE_NAMES[block.style], "\n".join(lines)))
    embed: dict[str, Any] = {"title": say.CITE_TITLE, "color": COLOR_ANSWER, "fields": fields}
    if notes:
        embed["description"] = cut("\n".join(notes), MAX_EMBED_DESCRIPTION)
    return Reply(embeds=[_shrink(embed)])


def reference_list_reply(style: str, references: Sequence[str]) -> Reply:
    """/cite: the references of every passage quoted in the channel, each once."""
    if not references:
        return Reply(content=say.CITE_NONE)
    title = say.CITE_LIST_TITLE.format(style=say.STYLE_NAMES[style])
    body = cut("\n\n".join(references), MAX_EMBED_DESCRIPTION)
    return Reply(embeds=[{"title": title, "description": body, "color": COLOR_ANSWER}])


def why_reply(explanation: Explanation, library: Library, notes: Sequence[str] = ()) -> Reply:
    """The numbers behind each quoted passage, one field each."""
    fields = []
    for n, why in enumerate(explanation.passages[:MAX_FIELDS], start=1):
        passage = library.passage(why.passage_id)
        where = library.citation(passage).locator if passage else why.passage_id
        lines = why_lines(why, explanation.ranking, explanation.fusion_k)
        fields.append(_field(f"{n}. {where}", escape("\n".join(lines))))
    embed: dict[str, Any] = {
        "title": escaped_cut(explanation.question, MAX_EMBED_TITLE),
        "color": COLOR_ANSWER,
        "fields": fields,
        "author": {"name": say.WHY_TITLE},
    }
    if notes:
        embed["description"] = cut("\n".join(notes), MAX_EMBED_DESCRIPTION)
    return Reply(embeds=[_shrink(embed)])


def check_reply(check: ClaimCheck) -> Reply:
    """The honesty note, then the passages marked, or that none supports the claim."""
    if not check.supported and not check.passages:
        return Reply(content=f"{say.NONE_SUPPORTS}\n{say.CHECK_HONESTY}")
    fields = []
    for bearing in check.passages[:MAX_FIELDS]:
        mark = say.SUPPORTS if bearing.supports else say.RELATED
        cite = citation_line(bearing.hit.citation)
        room = MAX_FIELD_VALUE - len(cite) - 3
        quote = escaped_cut(bearing.hit.text, max(room, 1))
        fields.append(
            {
                "name": cut(f"{bearing.hit.citation.locator}: {mark}", MAX_FIELD_NAME),
                "value": f"> {quote}\n{cite}",
                "inline": False,
            }
        )
    title = escaped_cut(say.CHECK_TITLE.format(claim=check.claim), MAX_EMBED_TITLE)
    color = COLOR_ANSWER if check.supported else COLOR_CLOSEST
    content = say.CHECK_HONESTY if check.supported else f"{say.NONE_SUPPORTS}\n{say.CHECK_HONESTY}"
    embed = {"title": title, "color": color, "fields": fields}
    return Reply(content=content, embeds=[_shrink(embed)])


def gaps_reply(gaps: Sequence[Gap], library: Library, days: int) -> Reply:
    """/gaps: the most frequent unanswered or voted-down questions first."""
    if not gaps:
        return Reply(content=say.GAPS_NONE.format(days=days))
    escaped = [dataclasses.replace(g, question=escape(g.question)) for g in gaps]
    lines = gap_lines(escaped, library)
    body = ""
    for line in lines:
        if len(body) + len(line) + 1 > MAX_EMBED_DESCRIPTION:
            break
        body += line + "\n"
    title = say.GAPS_TITLE.format(days=days)
    return Reply(embeds=[{"title": title, "description": body.strip(), "color": COLOR_ANSWER}])


def quiz_reply(quiz: QuizQuestion, title: str) -> Reply:
    """The sentence with its blank, and the choices (also on the buttons)."""
    choices = "\n".join(f"({LETTERS[i]}) {escape(c)}" for i, c in enumerate(quiz.choices))
    description = cut(f"{escape(quiz.sentence_with_blank)}\n\n{choices}", MAX_EMBED_DESCRIPTION)
    embed = {
        "title": say.QUIZ_TITLE,
        "description": description,
        "color": COLOR_ANSWER,
        "footer": {"text": cut(say.QUIZ_FOOTER.format(title=title), 2048)},
    }
    return Reply(embeds=[embed])


def quiz_reveal(quiz: QuizQuestion, picked: int, citation: Citation, sentence: str) -> Reply:
    """Whether the pick was right, and the sentence whole with its citation."""
    answer = f"({LETTERS[quiz.answer_index]}) {escape(quiz.answer)}"
    if picked == quiz.answer_index:
        verdict = say.QUIZ_RIGHT.format(answer=answer)
    else:
        verdict = say.QUIZ_WRONG.format(
            picked=f"({LETTERS[picked]}) {escape(quiz.choices[picked])}", answer=answer
        )
    cite = citation_line(citation)
    quote = escaped_cut(sentence, MAX_CONTENT - len(verdict) - len(cite) - 8)
    return Reply(content=f"{verdict}\n> {quote}\n{cite}")
