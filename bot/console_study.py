"""The study tools for a terminal: references, explanations, claim checks, gaps, the
refresh diff and a quiz question, as plain text. Never imports discord."""

from __future__ import annotations

from collections.abc import Sequence

from bot import study_messages as say
from bot.citing import StyleBlock
from bot.feedback import Gap
from index import Library
from index.claims import ClaimCheck
from index.diff import BriefDiff
from index.explain import Explanation, PassageWhy
from index.quiz import QuizQuestion
from index.style_text import plain


def format_styles(blocks: Sequence[StyleBlock]) -> str:
    """Each style's reference entries and in-text citations, italics markers removed."""
    lines = []
    for block in blocks:
        lines.append(say.STYLE_NAMES[block.style])
        lines += [f"    {plain(r)}" for r in block.references]
        label = say.FIRST_NOTE if block.style == "chicago-notes" else say.IN_TEXT
        lines += [f"    {label.format(note=c, citations=c)}" for c in map(plain, block.in_text)]
    return "\n".join(lines)


def _rank(value: int | None) -> str:
    return say.NOT_RANKED if value is None else str(value)


def why_lines(why: PassageWhy, ranking: str, k: int) -> list[str]:
    """The numbers for one passage, one fact a line."""
    ranks = say.WHY_RANKS.format(
        fused=_rank(why.fused_rank),
        ranking=ranking,
        words=_rank(why.words_rank),
        meaning=_rank(why.meaning_rank),
        rrf=say.NOT_RANKED if why.rrf is None else f"{why.rrf:.4f}",
    )
    if why.words_rank and why.meaning_rank:
        ranks += say.WHY_RRF.format(k=k, words=why.words_rank, meaning=why.meaning_rank)
    lines = [ranks, say.WHY_WORDS.format(bm25=f"{why.bm25:.3f}", coverage=why.coverage)]
    for part in why.terms:
        how = say.WHY_HOW[part.how].format(terms=", ".join(part.terms))
        lines.append(
            say.WHY_TERM.format(
                mark="+" if part.found else "-",
                words=" ".join(part.words),
                how=how,
                bm25=f"{part.bm25:.3f}",
                weight=f"{part.weight:.2f}",
            )
        )
    if why.similarity is None:
        lines.append(say.WHY_NO_MEANING)
    else:
        lines.append(
            say.WHY_SENTENCE.format(similarity=f"{why.similarity:.3f}", sentence=why.sentence)
        )
    return lines


def format_explanation(explanation: Explanation, library: Library) -> str:
    """Every passage's numbers under its citation."""
    out = [say.WHY_TITLE]
    for n, why in enumerate(explanation.passages, start=1):
        passage = library.passage(why.passage_id)
        where = library.citation(passage).locator if passage else why.passage_id
        out.append(f"[{n}] {where}")
        out += [f"    {line}" for line in why_lines(why, explanation.ranking, explanation.fusion_k)]
    return "\n".join(out)


def format_check(check: ClaimCheck) -> str:
    """The honesty note, then each passage marked, or that none supports the claim."""
    lines = [say.CHECK_HONESTY, ""]
    if not check.supported:
        lines.append(say.NONE_SUPPORTS)
    for bearing in check.passages:
        cite = bearing.hit.citation
        mark = say.SUPPORTS if bearing.supports else say.RELATED
        lines += [f"[{cite.locator}] {mark}", f"    \u201c{bearing.hit.text}\u201d"]
        lines.append(f"    \u2014 {cite.label()}")
    return "\n".join(lines)


def gap_lines(gaps: Sequence[Gap], library: Library) -> list[str]:
    """One line per gap, most frequent first."""
    out = []
    for n, gap in enumerate(gaps, start=1):
        passage = library.passage(gap.closest_passage_id) if gap.closest_passage_id else None
        closest = (
            say.GAPS_CLOSEST.format(locator=library.citation(passage).locator) if passage else ""
        )
        down = say.GAPS_DOWN.format(down=gap.down_votes) if gap.down_votes else ""
        out.append(
            say.GAPS_LINE.format(
                n=n, question=gap.question, count=gap.count, down=down, closest=closest
            )
        )
    return out


def diff_lines(diffs: Sequence[BriefDiff], library: Library, previous: Library) -> list[str]:
    """One line per brief whose paragraphs changed (none: one line saying so)."""
    if not diffs:
        return [say.DIFF_NONE]
    out = []
    for d in diffs:
        info = library.briefs.get(d.brief) or previous.briefs.get(d.brief)
        numbers = [f"+\u00b6{n}" for n in d.added] + [f"~\u00b6{n}" for n in d.changed]
        numbers += [f"-\u00b6{n}" for n in d.removed]
        shown = ", ".join(numbers[:12]) + (", \u2026" if len(numbers) > 12 else "")
        out.append(
            say.DIFF_LINE.format(
                title=info.title if info else d.brief,
                added=len(d.added),
                changed=len(d.changed),
                removed=len(d.removed),
                where=f" ({shown})",
            )
        )
    return out


LETTERS = "abcd"


def format_quiz(quiz: QuizQuestion, library: Library) -> str:
    """The question, its four choices, then the answer with its citation."""
    return f"{quiz_question(quiz)}\n\n{quiz_answer(quiz, library)}"


def quiz_question(quiz: QuizQuestion) -> str:
    """The sentence with its blank, and the four choices lettered a-d."""
    choices = "  ".join(f"({LETTERS[i]}) {c}" for i, c in enumerate(quiz.choices))
    return f"{quiz.sentence_with_blank}\n  {choices}"


def quiz_answer(quiz: QuizQuestion, library: Library, picked: int | None = None) -> str:
    """The answer with its citation; with `picked` (0-3), whether that choice was right."""
    passage = library.passage(quiz.passage_id)
    cite = library.citation(passage).label() if passage else quiz.passage_id
    answer = f"({LETTERS[quiz.answer_index]}) {quiz.answer}"
    if picked is None:
        said = say.QUIZ_ANSWER.format(letter=LETTERS[quiz.answer_index], answer=quiz.answer)
    elif picked == quiz.answer_index:
        said = say.QUIZ_RIGHT.format(answer=answer)
    else:
        said = say.QUIZ_WRONG.format(
            picked=f"({LETTERS[picked]}) {quiz.choices[picked]}", answer=answer
        )
    return f"{said} \u2014 {cite}"
