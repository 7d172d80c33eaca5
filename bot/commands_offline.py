"""The offline commands (index, ask, sources, eval, config): what each prints, and its exit
code. They never import discord.py; `briefbot run` and `sync` live in bot/runner.py."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot import cli_messages as say
from bot.config import Config, encoder_of
from bot.console import answer_json, format_answer, format_sources, to_json, wrap
from bot.progress import terminal_progress
from bot.terminal import clean
from index import Answer, Library, Searcher, load_index, open_index, read_question, rebuild
from index.errors import BadQuestion, BriefError, IndexUnreadable
from index.settings import Ranking

T = TypeVar("T")


def open_searcher(config: Config) -> Searcher:
    """A searcher over the index, built first (with a note on stderr) when missing or stale."""
    encoder = encoder_of(config)
    opened = open_index(
        config.seeds_dir, config.index_path, config.index, encoder, terminal_progress()
    )
    if opened.warning is not None:
        problem = say.error_text(opened.warning)
        print(clean(f"briefbot: {say.SERVING_SAVED.format(problem=problem)}"), file=sys.stderr)
    if opened.rebuilt_because:
        index = opened.index
        built = say.BUILT.format(
            why=opened.rebuilt_because, briefs=len(index.briefs), passages=len(index.passages)
        )
        print(clean(built), file=sys.stderr)  # one line: not wrapped
    return Searcher(opened.index, config.search, encoder)


def _saved(config: Config) -> Library | None:
    """The index saved before a rebuild (to report what changed), or None."""
    try:
        return load_index(config.index_path, config.index)
    except BriefError:
        return None


def _rebuilt_searcher(config: Config, damage: IndexUnreadable) -> Searcher:
    """A searcher over an index rebuilt because a read found the saved one damaged."""
    encoder = encoder_of(config)
    index = rebuild(config.seeds_dir, config.index_path, config.index, encoder=encoder)
    why = f"the saved index could not be used: {damage}"
    built = say.BUILT.format(why=why, briefs=len(index.briefs), passages=len(index.passages))
    print(clean(built), file=sys.stderr)  # one line: not wrapped
    return Searcher(index, config.search, encoder)


def with_searcher(config: Config, use: Callable[[Searcher], T]) -> T:
    """`use(searcher)`; when a read finds the index damaged (a passage failing its checksum,
    the file changed in place), the index is rebuilt from the seeds and `use` runs again."""
    try:
        return use(open_searcher(config))
    except IndexUnreadable as exc:
        return use(_rebuilt_searcher(config, exc))


def cmd_index(config: Config) -> int:
    """Rebuild the index and say what was done, what changed per brief, and what was
    skipped and why."""
    from bot.console_study import diff_lines
    from index.diff import diff_libraries

    previous = _saved(config)
    started = time.perf_counter()
    build = partial(
        rebuild,
        config.seeds_dir,
        config.index_path,
        config.index,
        encoder=encoder_of(config),
        progress=terminal_progress(),
    )
    try:
        index = build(previous=previous)
    except IndexUnreadable:  # the saved index was damaged where it was read: start afresh
        previous = None
        index = build(previous=None)
    seconds = time.perf_counter() - started
    indexed = say.INDEXED.format(
        briefs=len(index.briefs),
        passages=len(index.passages),
        seconds=seconds,
        path=config.index_path,
    )
    print(wrap(indexed, indent="    "))
    if previous is not None:
        diffs = diff_libraries(previous, index)
        print(wrap("\n".join(diff_lines(diffs, index, previous)), indent="    "))
    for skipped in index.skipped:
        print(wrap(say.SKIPPED.format(file=skipped.file, reason=skipped.reason), indent="    "))
    return 0


def cmd_ask(
    config: Config,
    question: str,
    k: int | None,
    as_json: bool,
    cite: str | None = None,
    explain: bool = False,
) -> int:
    """Print the answer to `question`."""
    # Bytes of argv that are not UTF-8 arrive as lone surrogates, which no output can carry.
    question = question.encode("utf-8", "replace").decode("utf-8")
    try:
        read_question(question)  # a bad question needs no index
    except BadQuestion:
        if as_json:  # --json prints one object for any question; the reason goes to stderr
            print(to_json(answer_json(Answer(question, (), False))))
        raise
    searcher, answer = with_searcher(config, lambda s: (s, s.search(question, k)))
    if as_json:
        print(to_json(answer_json(answer)))
    else:
        print(format_answer(answer, highlight=sys.stdout.isatty()))
    if cite or explain:
        from bot.commands_study import answer_extras

        extras = answer_extras(searcher, answer, cite, explain)
        if extras:
            # With --json, stdout stays one object: the extras go to stderr.
            print(f"\n{wrap(extras, indent='    ')}", file=sys.stderr if as_json else sys.stdout)
    return 0


def cmd_sources(config: Config) -> int:
    """Print the indexed briefs."""
    print(with_searcher(config, lambda s: format_sources(s.library)))
    return 0


def cmd_eval(config: Config, questions: str, as_json: bool) -> int:
    """Print recall@1/@3, MRR and refusal shares for the plain baseline, each half of the
    search alone (words, meaning: the ablation) and briefbot as configured."""
    from index.evaluation import Report, baseline, evaluate, format_reports, load_cases, ours

    cases = load_cases(Path(questions))

    def measured(searcher: Searcher) -> list[Report]:
        halves: tuple[Ranking, ...] = ("words", "meaning") if searcher.meaning else ("words",)
        reports = [evaluate("baseline", cases, baseline(config.seeds_dir))]
        for ranking in halves:
            half = Searcher(
                searcher.library,
                replace(searcher.settings, ranking=ranking),
                searcher.meaning.encoder if searcher.meaning is not None else None,
            )
            reports.append(evaluate(f"{ranking} only", cases, ours(half)))
        reports.append(evaluate("briefbot", cases, ours(searcher)))
        return reports

    reports = with_searcher(config, measured)
    if as_json:
        print(to_json({r.name: asdict(r) for r in reports}))
    else:
        print(wrap(format_reports(reports, cases), indent="    "))
    return 0


def cmd_config(config: Config, show: str) -> int:
    """Print the config in effect, the example config, or the README's table of keys."""
    from bot.config_docs import config_yaml, key_table

    if show == "table":
        sys.stdout.write(key_table())
    else:
        sys.stdout.write(config_yaml(None if show == "example" else config))
    return 0
