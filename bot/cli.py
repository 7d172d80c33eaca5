"""The `briefbot` command: index, ask and sources offline; run and sync on Discord.

Results go to stdout, errors to stderr with exit code 1, usage errors exit 2.
Offline commands never import discord.py: the Discord ones import it when chosen.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn

from bot import cli_messages as say
from bot.config import CONFIG_ENV, Config, ConfigError, find_config, load_config
from bot.console import answer_json, format_answer, format_sources
from index import Answer, Searcher, open_index, read_question, rebuild
from index.errors import BadQuestion, BriefError
from index.limits import MAX_RESULTS
from index.meaning import shared_encoder

log = logging.getLogger(__name__)


def _results(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_RESULTS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_RESULTS}")
    return number


class _Parser(argparse.ArgumentParser):
    """argparse, with a hint when a question that starts with "-" was read as an option."""

    def error(self, message: str) -> NoReturn:
        if "arguments are required: question" in message or "unrecognized arguments: -" in message:
            message += '\n(a question that starts with "-" goes after "--": briefbot ask -- "-…")'
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with --config accepted before or after the command."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"config file (default: ${CONFIG_ENV}, else ./config.yaml if present, else defaults)",
    )
    parser = _Parser(
        prog="briefbot",
        description="Answer questions about briefs by quoting the passages that answer them.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "index", parents=[common], help="build or refresh the index from the seeds folder"
    )
    ask = commands.add_parser(
        "ask", parents=[common], help="answer a question from the briefs, with citations"
    )
    ask.add_argument("question", help='the question, in quotes: "Why does China matter?"')
    ask.add_argument(
        "-k",
        "--results",
        type=_results,
        default=None,
        metavar="N",
        help=f"how many passages to show, 1-{MAX_RESULTS} (default: search.top_k in config, 3)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable format)")
    commands.add_parser("sources", parents=[common], help="list the indexed briefs")
    evaluate = commands.add_parser(
        "eval",
        parents=[common],
        help="measure answer quality on a question set, beside a plain BM25 baseline",
    )
    evaluate.add_argument("questions", metavar="QA.yaml", help="question set (see tests/qa/)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    commands.add_parser(
        "run",
        parents=[common],
        help="run the Discord bot (token from $DISCORD_TOKEN, or discord.token_env)",
    )
    commands.add_parser(
        "sync", parents=[common], help="register the slash commands with Discord now"
    )
    return parser


def _open(config: Config) -> Searcher:
    """A searcher over the index, built first (with a note on stderr) when missing or stale."""
    encoder = shared_encoder(None, config.data_dir)
    opened = open_index(config.seeds_dir, config.index_path, config.index, encoder)
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


def cmd_index(config: Config) -> int:
    """Rebuild the index and say what was done, and what was skipped and why."""
    started = time.perf_counter()
    encoder = shared_encoder(None, config.data_dir)
    index = rebuild(config.seeds_dir, config.index_path, config.index, encoder=encoder)
    seconds = time.perf_counter() - started
    print(
        say.INDEXED.format(
            briefs=len(index.briefs),
            passages=len(index.passages),
            seconds=seconds,
            path=config.index_path,
        )
    )
    for skipped in index.skipped:
        print(say.SKIPPED.format(file=skipped.file, reason=skipped.reason))
    return 0


def cmd_ask(config: Config, question: str, k: int | None, as_json: bool) -> int:
    """Print the answer to `question`."""
    # Bytes of argv that are not UTF-8 arrive as lone surrogates, which no output can carry.
    question = question.encode("utf-8", "replace").decode("utf-8")
    try:
        read_question(question)  # a bad question needs no index
    except BadQuestion:
        if as_json:  # --json prints one object for any question; the reason goes to stderr
            print(json.dumps(answer_json(Answer(question, (), False)), ensure_ascii=False))
        raise
    answer = _open(config).search(question, k)
    if as_json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        print(format_answer(answer, highlight=sys.stdout.isatty()))
    return 0


def cmd_sources(config: Config) -> int:
    """Print the indexed briefs."""
    print(format_sources(_open(config).library))
    return 0


def cmd_eval(config: Config, questions: str, as_json: bool) -> int:
    """Print recall@1/@3, MRR and refusal shares for briefbot and the baseline."""
    from index.evaluation import baseline, evaluate, format_reports, load_cases, ours

    cases = load_cases(Path(questions))
    reports = [
        evaluate("baseline", cases, baseline(config.seeds_dir)),
        evaluate("briefbot", cases, ours(_open(config))),
    ]
    if as_json:
        print(json.dumps({r.name: asdict(r) for r in reports}, ensure_ascii=False))
    else:
        print(format_reports(reports, cases))
    return 0


def dispatch(args: argparse.Namespace, config: Config) -> int:
    """Run the chosen command."""
    if args.command == "index":
        return cmd_index(config)
    if args.command == "ask":
        return cmd_ask(config, args.question, args.results, args.json)
    if args.command == "eval":
        return cmd_eval(config, args.questions, args.json)
    if args.command in ("run", "sync"):
        # Imported here so that the offline commands never load discord.py.
        from bot import runner

        return runner.run(config) if args.command == "run" else runner.sync(config)
    return cmd_sources(config)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        config = load_config(find_config(getattr(args, "config", None)))
        if args.command not in ("run", "sync"):  # those use discord.py's log setup
            logging.basicConfig(
                level=config.log_level, format="%(levelname)s %(name)s: %(message)s"
            )
        return dispatch(args, config)
    except ConfigError as exc:
        print(f"briefbot: config error: {exc}", file=sys.stderr)
    except BriefError as exc:
        print(f"briefbot: {say.error_text(exc)}", file=sys.stderr)
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:  # e.g. a seeds folder that cannot be listed
        print(f"briefbot: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("briefbot: interrupted", file=sys.stderr)
        return 130
    return 1
