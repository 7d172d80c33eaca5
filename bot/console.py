"""Answers formatted for a terminal and as the stable `--json` contract."""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import Any

from bot.cli_messages import CLOSEST_FRAMING, INDEX_BUILT_AT, NO_MATCH, NOT_COVERED
from index import Answer, Hit, Library


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((88, 24)).columns))


BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def format_hit(number: int, hit: Hit, width: int, highlight: bool = False) -> str:
    """One quoted passage with its citation underneath; `highlight` bolds the best sentence."""
    quote = textwrap.fill(
        f"\u201c{hit.text}\u201d",
        width=width,
        initial_indent="    ",
        subsequent_indent="     ",
        break_on_hyphens=False,
    )
    if highlight:
        # Wrapping only turns spaces into newlines, so the sentence is found again
        # by matching its words with any white space between them.
        start, end = hit.sentence
        pattern = r"\s+".join(map(re.escape, hit.text[start:end].split()))
        quote = re.sub(pattern, lambda m: f"{BOLD}{m.group()}{PLAIN}", quote, count=1)
    cite = hit.citation
    lines = [f"[{number}] {cite.title}, {cite.locator}", quote]
    source = " \u00b7 ".join(s for s in (cite.publisher, cite.url) if s)
    if source:
        lines.append(f"    \u2014 {source}")
    return "\n".join(lines)


def format_answer(answer: Answer, highlight: bool = False) -> str:
    """The whole answer for a terminal: a framing line unless answered, then the quotes
    (the same passages as Discord and `--json` show: Answer.shown)."""
    if not answer.hits:
        return NO_MATCH
    width = _width()
    hits = answer.shown()
    body = "\n\n".join(format_hit(n, h, width, highlight) for n, h in enumerate(hits, start=1))
    framing = {"answered": "", "closest": CLOSEST_FRAMING}.get(answer.verdict, NOT_COVERED)
    return f"{framing}\n\n{body}" if framing else body


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `--json` contract: question, answered, results with text, score and citation;
    verdict (answered, closest, not_covered) and similarity say how sure it is. Results are
    the passages the terminal and Discord show (Answer.shown)."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "verdict": answer.verdict,
        "similarity": answer.similarity,
        "results": [
            {
                "text": h.text,
                "score": h.score,
                "citation": {
                    "title": h.citation.title,
                    "locator": h.citation.locator,
                    "paragraph": h.citation.paragraph,
                    "brief": h.citation.brief,
                    "url": h.citation.url,
                },
            }
            for h in answer.shown()
        ],
    }


def format_sources(index: Library) -> str:
    """One line per indexed brief: id, title, publisher, paragraphs and passages."""
    counts = index.passage_counts()
    lines = []
    for brief in index.briefs.values():
        publisher = f" ({brief.publisher})" if brief.publisher else ""
        lines.append(
            f"{brief.id}: {brief.title}{publisher} \u2014 "
            f"{brief.paragraphs} paragraphs, {counts.get(brief.id, 0)} passages"
        )
    lines.append(INDEX_BUILT_AT.format(built_at=index.built_at))
    return "\n".join(lines)
