"""Answers, passages and sources as Discord message payloads that fit Discord's limits.

Pure: plain data in, plain dicts out (the JSON shape of Discord embeds), no I/O,
so every limit is unit-tested without a Discord. Quoted text is escaped so a
brief or a question can neither format the message nor mention anyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from discord.utils import escape_markdown

from bot import messages
from bot.limits import MAX_RESULTS_PER_PAGE
from index import Answer, Citation, Hit
from index.about import BriefFact
from index.cite import locator

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MAX_CONTENT = 2000
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FIELDS = 25
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
MAX_BUTTON_LABEL = 80
MAX_CUSTOM_ID = 100
# A citation line must leave room for the quote above it in a 1,024-character field.
MAX_CITED_TITLE = 120
MAX_CITED_PUBLISHER = 80
MAX_LINKED_URL = 200

ELLIPSIS = "\u2026"
COLOR_ANSWER = 0x5865F2
COLOR_CLOSEST = 0x99AAB5

_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s|$)")
_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)")
# No "@": a link's user-info part could otherwise carry "@everyone" into a message.
_SAFE_URL = re.compile(r"https?://[^\s()<>@]+")


@dataclass(frozen=True)
class Reply:
    """One message: text content and embeds as Discord JSON; either may be empty."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)


_LINE_START = re.compile(r"(?m)^(?=[>#])")
_NOT_A_LINK = re.compile(r"<(?!https?://)[^: >]+:/[^ >]+>")
_MARK = re.compile(r"(?<!\\)[_~|*`]")


def escape(text: str) -> str:
    """`text` with Discord markdown and mentions neutralised (a zero-width space after @)."""
    text = _EVERYONE.sub("@\u200b\\1", text)
    text = _MENTION.sub(lambda m: f"<{m.group(1)}\u200b{m.group(2)}>", text)
    # escape_markdown escapes only the `[` of a masked link `[a](**b**)` and leaves the markdown
    # inside it live; escaping every `[` ourselves means no masked link can form at all.
    text = "\\[".join(escape_markdown(part) for part in text.split("["))
    # escape_markdown leaves alone whatever looks like `<scheme:/...>`, but Discord only
    # links http(s) there, so in `<*:/0>` the star stays live (found by hypothesis).
    text = _NOT_A_LINK.sub(lambda m: _MARK.sub(r"\\\g<0>", m.group()), text)
    # A line that starts with `>` or `#` would quote or head the rest of it (found by hypothesis:
    # escape_markdown leaves a lone `>` after a line break).
    return _LINE_START.sub(r"\\", text)


def cut(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters at a sentence end, else a word, with `…`."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    room = limit - 1
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1) if m.end() <= room]
    # A sentence end in the first third would throw most of the room away; cut at a word instead.
    if ends and ends[-1] >= room // 3:
        return text[: ends[-1]] + " " + ELLIPSIS if ends[-1] < room else text[:room] + ELLIPSIS
    space = text.rfind(" ", 0, room)
    stop = space if space >= room // 2 else room
    return text[:stop].rstrip() + ELLIPSIS


def _fit(make: Callable[[int], str], limit: int) -> str:
    """Call `make(raw_limit)` with smaller raw limits until the (escaped) result fits `limit`."""
    raw = high = limit
    for _ in range(8):
        out = make(raw)
        if len(out) <= limit:
            return out
        high = raw - 1
        raw -= len(out) - limit + 8
        if raw <= 0:
            break
    # Escaping can double the text (a run of backslashes): search below the last raw limit
    # tried, rather than fall back to nothing (Discord refuses an empty field).
    fits, low = make(0)[:limit], 0
    while low < high:
        raw = (low + high + 1) // 2
        out = make(raw)
        if len(out) <= limit:
            fits, low = out, raw
        else:
            high = raw - 1
    return fits


def escaped_cut(text: str, limit: int) -> str:
    """`text` escaped and cut so that the escaped result is at most `limit` characters."""
    return _fit(lambda raw: escape(cut(text, max(raw, 0))), limit)


def highlighted(text: str, span: tuple[int, int], limit: int) -> str:
    """Escaped `text` with the sentence at `span` in bold, cut to `limit` keeping that sentence."""

    def make(raw: int) -> str:
        start, end = span
        if not 0 <= start < end <= len(text) or (start, end) == (0, len(text)):
            return escape(cut(text, raw))
        lead = ""
        if len(text) > raw and end > raw - 1:
            # The best sentence lies past the cut: start the quote at it.
            lead, text_, start, end = ELLIPSIS + " ", text[start:], 0, end - start
        else:
            text_ = text
        room = max(raw - len(lead), 0)
        shown = cut(text_, room)
        best_end = min(end, len(shown.rstrip(ELLIPSIS).rstrip()))
        before, best, after = shown[:start], shown[start:best_end], shown[best_end:]
        bold = f"**{escape(best.strip())}**" if best.strip() else ""
        sep_before = " " if before.endswith(" ") and bold else ""
        sep_after = " " if best.endswith(" ") and bold else ""
        return lead + escape(before.rstrip()) + sep_before + bold + sep_after + escape(after)

    return _fit(make, limit)


def _safe_url(url: str | None) -> str | None:
    """`url` when it is a plain http(s) link short enough to show, else None."""
    ok = url and len(url) <= MAX_LINKED_URL and _SAFE_URL.fullmatch(url)
    return url if ok else None


def citation_line(citation: Citation) -> str:
    """`— Title, ¶4 · Publisher`, the title linked when the brief has a (safe) url."""
    label = f"{escaped_cut(citation.title, MAX_CITED_TITLE)}, {citation.locator}"
    url = _safe_url(citation.url)
    line = f"\u2014 [{label}]({url})" if url else f"\u2014 *{label}*"
    if citation.publisher:
        line += f" \u00b7 {escaped_cut(citation.publisher, MAX_CITED_PUBLISHER)}"
    return line


def _quote_field(name: str, hit: Hit, budget: int) -> dict[str, Any]:
    cite = citation_line(hit.citation)
    # "> " before the quote and a newline before the citation.
    room = min(budget, MAX_FIELD_VALUE) - len(cite) - 3
    quote = highlighted(hit.text, hit.sentence, max(room, 1))
    return {"name": cut(name, MAX_FIELD_NAME), "value": f"> {quote}\n{cite}", "inline": False}


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))


def _hits_embed(
    title: str, hits: Sequence[Hit], first: int, color: int, footer: str = ""
) -> dict[str, Any]:
    hits = hits[:MAX_FIELDS]
    embed: dict[str, Any] = {"title": escaped_cut(title, MAX_EMBED_TITLE), "color": color}
    if footer:
        embed["footer"] = {"text": cut(footer, MAX_FOOTER)}
    names = [f"{first + i}. {h.citation.locator}" for i, h in enumerate(hits)]
    spare = MAX_EMBED_TOTAL - _embed_size(embed) - sum(len(n) for n in names)
    budget = spare // max(len(hits), 1)
    embed["fields"] = [_quote_field(n, h, budget) for n, h in zip(names, hits, strict=True)]
    return embed


def answer_reply(answer: Answer, offset: int = 0, count: int = MAX_RESULTS_PER_PAGE) -> Reply:
    """The reply to a question: hits `offset` to `offset+count`, or the closest match, marked;
    or the facts a question about the brief as a document asked of its metadata."""
    if answer.about:
        return Reply(embeds=[_facts_embed(answer)])
    if not answer.hits:
        return Reply(content=messages.NO_MATCH)
    if answer.verdict == "not_covered":
        embed = _hits_embed(messages.CLOSEST_MATCH, answer.shown(), 1, COLOR_CLOSEST)
        return Reply(content=messages.NOT_COVERED, embeds=[embed])
    page = answer.hits[offset : offset + count]
    if not page:
        return Reply(content=messages.NO_MORE)
    footer = ""
    if offset:
        footer = messages.PAGE_FOOTER.format(first=offset + 1, last=offset + len(page))
    if answer.verdict == "closest":
        embed = _hits_embed(answer.question, page, offset + 1, COLOR_CLOSEST, footer)
        return Reply(content=messages.CLOSEST_FRAMING, embeds=[embed])
    return Reply(embeds=[_hits_embed(answer.question, page, offset + 1, COLOR_ANSWER, footer)])


def _facts_embed(answer: Answer) -> dict[str, Any]:
    """The asked facts, a field each (named with its brief's title when they are of
    several briefs); grey when none of them is known."""
    facts = answer.about[:MAX_FIELDS]
    briefs = list(dict.fromkeys(f.brief for f in facts))
    if len(briefs) == 1:
        title = escaped_cut(facts[0].title, MAX_CITED_TITLE)
        named = f"*{title}*" if title.strip() else messages.THE_BRIEF
        description = messages.ABOUT_BRIEF.format(title=named)
        names = [messages.FACT_LABELS[f.fact] for f in facts]
    else:
        description = messages.ABOUT_BRIEFS.format(count=len(briefs))
        names = [
            cut(
                f"{messages.FACT_LABELS[f.fact]} \u00b7 {escaped_cut(f.title, MAX_CITED_TITLE)}",
                MAX_FIELD_NAME,
            )
            for f in facts
        ]
    embed: dict[str, Any] = {
        "title": escaped_cut(answer.question, MAX_EMBED_TITLE),
        "description": description,
        "color": COLOR_ANSWER if answer.answered else COLOR_CLOSEST,
    }
    spare = MAX_EMBED_TOTAL - _embed_size(embed) - sum(len(n) for n in names)
    budget = min(spare // len(facts), MAX_FIELD_VALUE)
    embed["fields"] = [
        {"name": name, "value": _fact_value(fact, budget), "inline": False}
        for name, fact in zip(names, facts, strict=True)
    ]
    return embed


def _fact_value(fact: BriefFact, limit: int) -> str:
    """A fact as shown in at most `limit` characters: a link as it is when it is a plain
    http(s) one (Discord links it), anything else escaped."""
    if fact.value is None or not fact.value.strip():
        return messages.FACT_NOT_GIVEN
    if fact.fact == "url" and _safe_url(fact.value) and len(fact.value) <= limit:
        return fact.value
    return escaped_cut(fact.value, limit)


def _paragraph_text(texts: Sequence[str]) -> str:
    return " ".join(t.strip() for t in texts)


def passage_reply(citation: Citation, texts: Sequence[str]) -> Reply:
    """One whole paragraph (all its passages) with its citation."""
    cite = citation_line(citation)
    room = MAX_EMBED_DESCRIPTION - len(cite) - 3
    quote = escaped_cut(_paragraph_text(texts), room)
    title = escaped_cut(f"{citation.title}, \u00b6{citation.paragraph}", MAX_EMBED_TITLE)
    return Reply(
        embeds=[{"title": title, "description": f"> {quote}\n{cite}", "color": COLOR_ANSWER}]
    )


def context_reply(
    citation: Citation,
    paragraphs: Sequence[tuple[int, Sequence[str]]],
    current: int,
    in_brief: int = 0,
) -> Reply:
    """The paragraphs around `current` (numbers with their passage texts), current one
    marked, each named as citations name it (`in_brief`: the brief's paragraph count,
    which names a caption after the last paragraph)."""
    fields: list[dict[str, Any]] = []
    for number, texts in paragraphs[:MAX_FIELDS]:
        name = locator(number, paragraphs=in_brief) + (" (quoted)" if number == current else "")
        fields.append(
            {
                "name": name,
                "value": escaped_cut(_paragraph_text(texts), MAX_FIELD_VALUE - 2),
                "inline": False,
            }
        )
    title = messages.CONTEXT_TITLE.format(locator=locator(current, paragraphs=in_brief))
    embed: dict[str, Any] = {
        "title": escaped_cut(title, MAX_EMBED_TITLE),
        "description": citation_line(citation),
        "color": COLOR_ANSWER,
        "fields": fields,
    }
    # Three fields of 1,022 characters fit in 6,000; more (from a caller) must be shortened.
    while _embed_size(embed) > MAX_EMBED_TOTAL and fields:
        longest = max(fields, key=lambda f: len(f["value"]))
        longest["value"] = cut(longest["value"], len(longest["value"]) // 2)
    return Reply(embeds=[embed])


@dataclass(frozen=True)
class SourceRow:
    """What /sources shows of one brief."""

    title: str
    publisher: str | None
    url: str | None
    paragraphs: int
    passages: int


def sources_reply(rows: Sequence[SourceRow], built_at: str) -> Reply:
    """The indexed briefs, one field each (the 25th says how many more there are)."""
    fields: list[dict[str, Any]] = []
    shown = rows if len(rows) <= MAX_FIELDS else rows[: MAX_FIELDS - 1]
    for row in shown:
        parts = [messages.SOURCES_LINE.format(paragraphs=row.paragraphs, passages=row.passages)]
        if row.publisher:
            parts.insert(0, escaped_cut(row.publisher, 200))
        url = _safe_url(row.url)
        if url:
            parts.append(url)
        fields.append(
            {
                # Discord refuses a blank field name, and a metadata title can be "   ".
                "name": escaped_cut(row.title, MAX_FIELD_NAME).strip() or messages.UNTITLED,
                "value": cut("\n".join(parts), MAX_FIELD_VALUE),
                "inline": False,
            }
        )
    if len(rows) > len(shown):
        fields.append({"name": ELLIPSIS, "value": f"and {len(rows) - len(shown)} more briefs"})
    embed: dict[str, Any] = {
        "title": messages.SOURCES_TITLE,
        "color": COLOR_ANSWER,
        "fields": fields,
        "footer": {"text": messages.SOURCES_FOOTER.format(built_at=built_at)},
    }
    while _embed_size(embed) > MAX_EMBED_TOTAL and fields:
        longest = max(fields, key=lambda f: len(f["name"]) + len(f["value"]))
        longest["name"] = cut(longest["name"], 60)
        longest["value"] = cut(longest["value"], len(longest["value"]) // 2)
    return Reply(embeds=[embed])


def text_reply(text: str) -> Reply:
    """Plain text (our own wording plus escaped data), cut to the content limit."""
    return Reply(content=cut(text, MAX_CONTENT))


def button_label(text: str) -> str:
    """A button label within Discord's limit."""
    return cut(text, MAX_BUTTON_LABEL)
