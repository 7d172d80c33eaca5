"""Answers formatted for a terminal and as the stable `--json` contract."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import textwrap
from typing import Any

from bot.cli_messages import (
    ABOUT_BRIEF,
    CLOSEST_FRAMING,
    FACT_LABELS,
    FACT_NOT_GIVEN,
    INDEX_BUILT_AT,
    NO_MATCH,
    NOT_COVERED,
)
from bot.terminal import clean
from index import Answer, Hit, Library
from index.about import BriefFact


def _width() -> int:
    return max(40, min(100, shutil.get_terminal_size((88, 24)).columns))


# Characters a terminal acts on even inside a JSON string: C1 controls (U+0080-U+009F, e.g.
# the one-byte CSI), bidi embeddings, overrides and isolates, and line/paragraph separators.
_JSON_UNSAFE = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def to_json(value: object) -> str:
    """`value` as one line of JSON, readable UTF-8 but with every character a terminal acts on
    escaped (json.dumps escapes C0 controls, not C1 or bidi ones)."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def wrap(text: str, width: int | None = None, indent: str = "") -> str:
    """`text` made safe for a terminal (bot.terminal.clean) and each line wrapped to the
    terminal's width between words, continued under `indent`."""
    width = width or _width()
    lines = clean(text).split("\n")
    return "\n".join(
        textwrap.fill(line, width=width, subsequent_indent=indent, break_on_hyphens=False)
        if len(line) > width
        else line
        for line in lines
    )


BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def format_hit(number: int, hit: Hit, width: int, highlight: bool = False) -> str:
    """One quoted passage with its citation underneath; `highlight` bolds the best sentence."""
    text = clean(hit.text)
    quote = textwrap.fill(
        f"\u201c{text}\u201d",
        width=width,
        initial_indent="    ",
        subsequent_indent="     ",
        break_on_hyphens=False,
    )
    if highlight:
        # Wrapping only turns spaces into newlines, so the sentence is found again
        # by matching its words with any white space between them.
        start, end = hit.sentence
        pattern = r"\s+".join(map(re.escape, clean(hit.text[start:end]).split()))
        quote = re.sub(pattern, lambda m: f"{BOLD}{m.group()}{PLAIN}", quote, count=1)
    cite = hit.citation
    lines = [wrap(f"[{number}] {cite.title}, {cite.locator}", width, "    "), quote]
    source = " \u00b7 ".join(s for s in (cite.publisher, cite.url) if s)
    if source:
        lines.append(wrap(f"    \u2014 {source}", width, "      "))
    return "\n".join(lines)


def format_answer(answer: Answer, highlight: bool = False) -> str:
    """The whole answer for a terminal: a framing line unless answered, then the quotes
    (the same passages as Discord and `--json` show: Answer.shown)."""
    width = _width()
    if answer.about:
        return format_facts(answer.about, width)
    if not answer.hits:
        return wrap(NO_MATCH, width)
    hits = answer.shown()
    body = "\n\n".join(format_hit(n, h, width, highlight) for n, h in enumerate(hits, start=1))
    framing = {"answered": "", "closest": CLOSEST_FRAMING}.get(answer.verdict, NOT_COVERED)
    return f"{wrap(framing, width)}\n\n{body}" if framing else body


def format_facts(facts: tuple[BriefFact, ...], width: int) -> str:
    """The facts a question about a brief as a document asked for, one a line, under the
    title of each brief they are of."""
    blocks = []
    for _, group in itertools.groupby(facts, key=lambda f: f.brief):
        first, *rest = group
        lines = [wrap(ABOUT_BRIEF.format(title=f"\u201c{first.title}\u201d"), width)]
        for fact in (first, *rest):
            line = f"    {FACT_LABELS[fact.fact]}: {fact.value or FACT_NOT_GIVEN}"
            lines.append(wrap(line, width, "      "))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `--json` contract: question, answered, results with text, score and citation;
    verdict (answered, closest, not_covered) and similarity say how sure it is. Results are
    the passages the terminal and Discord show (Answer.shown); a citation's kind (added
    beside the first keys) is paragraph, standfirst or caption (paragraph -n: before ¶n).
    `about` (added later) holds what a question about the brief as a document asked of
    its metadata: fact (title, publisher, author, date or url), value (null: not given),
    brief and title; results are then empty."""
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
                    "kind": h.citation.kind,
                    "brief": h.citation.brief,
                    "url": h.citation.url,
                },
            }
            for h in answer.shown()
        ],
        "about": [
            {"fact": f.fact, "value": f.value, "brief": f.brief, "title": f.title}
            for f in answer.about
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
    return wrap("\n".join(lines), indent="    ")
