"""The offline commands (index, ask, sources, eval, config): what each prints, and its exit
code. They never import discord.py; `briefbot run` and `sync` live in bot/runner.py."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from bot import cli_messages as say
from bot.config import Config, encoder_of
from bot.console import answer_json, format_answer, format_sources
from bot.progress import terminal_progress
from index import Answer, Library, Searcher, load_index, open_index, read_question, rebuild
from index.errors import BadQuestion, BriefError
from index.settings import Ranking


def open_searcher(config: Config) -> Searcher:
    """A searcher over the index, built first (with a note on stderr) when missing or stale."""
    encoder = encoder_of(config)
    opened = open_index(
        config.seeds_dir, config.index_path, config.index, encoder, terminal_progress()
    )
    if opened.warning is not None:
        problem = say.error_text(opened.warning)
        print(f"briefbot: {say.SERVING_SAVED.format(problem=problem)}", file=sys.stderr)
    if opened.rebuilt_because:
        index = opened.index
        print(
            say.BUILT.format(
                why=opened.rebuilt_because, briefs=len(index.briefs), passages=len(index.passages)
            ),
            file=sys.stderr,
        )
    return Searcher(opened.index, config.search, encoder)


def _saved(config: Config) -> Library | None:
    """The index saved before a rebuild (to report what changed), or None."""
    try:
        return load_index(config.index_path, config.index)
    except BriefError:
        return None


def cmd_index(config: Config) -> int:
    """Rebuild the index and say what was done, what changed per brief, and what was
    skipped and why."""
    from bot.console_study import diff_lines
    from index.diff import diff_libraries

    previous = _saved(config)
    started = time.perf_counter()
    index = rebuild(
        config.seeds_dir,
        config.index_path,
        config.index,
        previous,
        encoder=encoder_of(config),
        progress=terminal_progress(),
    )
    seconds = time.perf_counter() - started
    print(
        say.INDEXED.format(
            briefs=len(index.briefs),
            passages=len(index.passages),
            seconds=seconds,
            path=config.index_path,
        )
    )
    if previous is not None:
        print("\n".join(diff_lines(diff_libraries(previous, index), index, previous)))
    for skipped in index.skipped:
        print(say.SKIPPED.format(file=skipped.file, reason=skipped.reason))
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
            print(json.dumps(answer_json(Answer(question, (), False)), ensure_ascii=False))
        raise
    searcher = open_searcher(config)
    answer = searcher.search(question, k)
    if as_json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        print(format_answer(answer, highlight=sys.stdout.isatty()))
    if cite or explain:
        from bot.commands_study import answer_extras

        extras = answer_extras(searcher, answer, cite, explain)
        if extras:
            # With --json, stdout stays one object: the extras go to stderr.
            print(f"\n{extras}", file=sys.stderr if as_json else sys.stdout)
    return 0


def cmd_sources(config: Config) -> int:
    """Print the indexed briefs."""
    print(format_sources(open_searcher(config).library))
    return 0


def cmd_eval(config: Config, questions: str, as_json: bool) -> int:
    """Print recall@1/@3, MRR and refusal shares for the plain baseline, each half of the
    search alone (words, meaning: the ablation) and briefbot as configured."""
    from index.evaluation import baseline, evaluate, format_reports, load_cases, ours

    cases = load_cases(Path(questions))
    searcher = open_searcher(config)
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
    if as_json:
        print(json.dumps({r.name: asdict(r) for r in reports}, ensure_ascii=False))
    else:
        print(format_reports(reports, cases))
    return 0


def cmd_config(config: Config, show: str) -> int:
    """Print the config in effect, the example config, or the README's table of keys."""
    from bot.config_docs import config_yaml, key_table

    if show == "table":
        sys.stdout.write(key_table())
    else:
        sys.stdout.write(config_yaml(None if show == "example" else config))
    return 0
