"""The `briefbot` command: its arguments, and which command runs (the offline ones are in
bot/commands_offline.py, run and sync in bot/runner.py).

Results go to stdout, errors to stderr with exit code 1, usage errors exit 2.
Offline commands never import discord.py: the Discord ones import it when chosen.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from bot import cli_messages as say
from bot.commands_offline import (
    cmd_ask,
    cmd_config,
    cmd_eval,
    cmd_index,
    cmd_sources,
    open_searcher,
)
from bot.config import Config, ConfigError
from bot.config_file import CONFIG_ENV, find_config, load_config
from bot.redact import install_token_filter
from bot.terminal import clean
from index import SearchSettings
from index.cite import STYLES
from index.errors import BriefError
from index.limits import MAX_RESULTS

log = logging.getLogger(__name__)


def _results(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_RESULTS:
        raise argparse.ArgumentTypeError(say.BAD_RESULTS.format(limit=MAX_RESULTS))
    return number


class _Parser(argparse.ArgumentParser):
    """argparse, with a hint when a question that starts with "-" was read as an option,
    and the whole help for `briefbot` alone (what it can do, not only that a command is
    missing)."""

    def error(self, message: str) -> NoReturn:
        if "arguments are required: COMMAND" in message:
            self.print_help(sys.stderr)
            self.exit(2)
        if "arguments are required: question" in message or "unrecognized arguments: -" in message:
            message += "\n" + say.DASH_QUESTION
        super().error(message)


def _add_config_command(commands: Any, common: argparse.ArgumentParser) -> None:  # noqa: ANN401
    """`briefbot config [--example | --table]`."""
    shown = commands.add_parser(
        "config", parents=[common], help="print the config in effect, with every key explained"
    )
    which = shown.add_mutually_exclusive_group()
    which.add_argument(
        "--example",
        dest="show",
        action="store_const",
        const="example",
        default="current",
        help="print config.example.yaml: every key at its default",
    )
    which.add_argument(
        "--table",
        dest="show",
        action="store_const",
        const="table",
        help="print the README's table of keys (Markdown)",
    )


def _add_library_commands(commands: Any, common: argparse.ArgumentParser) -> None:  # noqa: ANN401
    """`briefbot add FILE_OR_URL`, `remove BRIEF`, `audit` (bot/commands_library.py)."""
    add = commands.add_parser(
        "add", parents=[common], help="add a brief from a file or a link to the library"
    )
    add.add_argument("source", metavar="FILE_OR_URL", help="a .txt/.md/.html/.pdf file or a link")
    for name in ("title", "publisher", "date", "author"):
        add.add_argument(f"--{name}", default=None, help=f"the brief's {name} (default: its own)")
    same = add.add_mutually_exclusive_group()
    same.add_argument(
        "--replace",
        dest="on_same_title",
        action="store_const",
        const="replace",
        help="replace a brief with the same title",
    )
    same.add_argument(
        "--keep-both",
        dest="on_same_title",
        action="store_const",
        const="keep",
        help="keep a brief with the same title and add this one beside it",
    )
    remove = commands.add_parser(
        "remove", parents=[common], help="remove a brief (by id or title) from the library"
    )
    remove.add_argument("brief", metavar="BRIEF", help="the brief's id or title")
    remove.add_argument("--yes", action="store_true", help="do not ask for a confirmation")
    shown = commands.add_parser("audit", parents=[common], help="print the library's audit log")
    shown.add_argument("--json", action="store_true", help="one JSON object per line")


def _add_ask_command(commands: Any, common: argparse.ArgumentParser) -> None:  # noqa: ANN401
    """`briefbot ask "QUESTION" [-k N] [--json] [--cite STYLE] [--explain]`."""
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
        help=f"how many passages to show, 1-{MAX_RESULTS} "
        f"(default: search.top_k in the config, {SearchSettings().top_k})",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable format)")
    ask.add_argument(
        "--cite",
        choices=(*STYLES, "all"),
        metavar="STYLE",
        help=f"also print the references of the quoted passages ({', '.join(STYLES)}, all)",
    )
    ask.add_argument(
        "--explain", action="store_true", help="also print the numbers the search ranked by"
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with --config accepted before or after the command; with
    `only="ask"`, that command alone: what `briefbot ask ...` parses with, for a start-up
    that does not pay for a dozen other commands' parsers."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"config file (default: ${CONFIG_ENV}, else ./config.yaml if present, else defaults)",
    )
    common.add_argument(
        "--library",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="work on the library NAME of the config's libraries: (default: the default one)",
    )
    parser = _Parser(
        prog="briefbot",
        description="Answer questions about briefs by quoting the passages that answer them.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only == "ask":
        _add_ask_command(commands, common)
        return parser
    commands.add_parser(
        "index", parents=[common], help="build or refresh the index from the seeds folder"
    )
    _add_ask_command(commands, common)
    check = commands.add_parser(
        "check", parents=[common], help="find the passages that bear on a claim"
    )
    check.add_argument("claim", help='the claim, in quotes: "China matters more than Russia"')
    gaps = commands.add_parser(
        "gaps", parents=[common], help="questions the briefs did not answer (Discord feedback)"
    )
    gaps.add_argument("--guild", type=int, default=None, metavar="ID", help="one server only")
    quiz = commands.add_parser(
        "quiz", parents=[common], help="a fill-in-the-blank question from a brief"
    )
    quiz.add_argument("--seed", type=int, default=0, metavar="N", help="which question (default 0)")
    quiz.add_argument("--brief", default=None, metavar="ID", help="from this brief only")
    commands.add_parser("sources", parents=[common], help="list the indexed briefs")
    evaluate = commands.add_parser(
        "eval",
        parents=[common],
        help="measure answer quality on a question set, beside a plain BM25 baseline",
    )
    evaluate.add_argument("questions", metavar="QA.yaml", help="question set (see tests/qa/)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    _add_config_command(commands, common)
    _add_library_commands(commands, common)
    commands.add_parser(
        "run",
        parents=[common],
        help="run the Discord bot (token from $DISCORD_TOKEN, or discord.token_env)",
    )
    commands.add_parser(
        "sync", parents=[common], help="register the slash commands with Discord now"
    )
    return parser


def dispatch(args: argparse.Namespace, config: Config) -> int:
    """Run the chosen command."""
    if args.command == "index":
        return cmd_index(config)
    if args.command == "ask":
        return cmd_ask(config, args.question, args.results, args.json, args.cite, args.explain)
    if args.command in ("check", "gaps", "quiz"):
        from bot import commands_study as study

        searcher = open_searcher(config)
        if args.command == "check":
            return study.cmd_check(searcher, args.claim)
        if args.command == "gaps":
            return study.cmd_gaps(config, searcher, args.guild)
        return study.cmd_quiz(searcher, args.seed, args.brief)
    if args.command == "eval":
        return cmd_eval(config, args.questions, args.json)
    if args.command == "config":
        return cmd_config(config, args.show)
    if args.command in ("add", "remove", "audit"):
        return _library_command(args, config)
    if args.command in ("run", "sync"):
        # Imported here so that the offline commands never load discord.py.
        from bot import runner

        return runner.run(config) if args.command == "run" else runner.sync(config)
    return cmd_sources(config)


def _library_command(args: argparse.Namespace, config: Config) -> int:
    """Run add, remove or audit on the chosen library."""
    from bot.commands_library import cmd_add, cmd_audit, cmd_remove

    if args.command == "add":
        metadata = {k: getattr(args, k) for k in ("title", "publisher", "date", "author")}
        return cmd_add(config, args.source, metadata, args.on_same_title)
    if args.command == "remove":
        return cmd_remove(config, args.brief, args.yes)
    return cmd_audit(config, args.json)


def _on_library(config: Config, name: str | None) -> Config:
    """The config working on library `name` (--library); LibraryCommandError if unknown."""
    if name is None:  # the default library: no need to load the library commands
        return config
    from bot.commands_library import LibraryCommandError
    from bot.libraries import DEFAULT_NAME, config_for
    from bot.library_messages import CLI_UNKNOWN_LIBRARY

    try:
        return config_for(config, name or DEFAULT_NAME)
    except KeyError as exc:
        known = ", ".join([DEFAULT_NAME] + [s.name for s in config.libraries])
        raise LibraryCommandError(CLI_UNKNOWN_LIBRARY.format(name=name, known=known)) from exc


def _fail(text: str) -> None:
    # File names and reasons come from the seeds folder: no escape sequence reaches stderr.
    print(clean(say.PREFIX + text), file=sys.stderr)


def _exit_without_collecting() -> None:
    """At exit, Python's last garbage collections walk every object its imports made
    (numpy's and ours): 12-16 ms of a 150 ms `briefbot ask`, after the answer is printed.
    Freezing them first skips that walk; atexit handlers, flushing and reference counting
    all still run, and the memory goes back with the process. Once per process, however
    often main() runs in it. Offline commands only: the bot's exit is not waited for."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # Every argument after "ask" is the ask command's: its parser alone reads them the same.
    args = build_parser("ask" if argv[:1] == ["ask"] else None).parse_args(argv)
    try:
        config = load_config(find_config(getattr(args, "config", None)))
        if args.command not in ("run", "sync"):  # those use discord.py's log setup
            _exit_without_collecting()
            logging.basicConfig(
                level=config.log_level, format="%(levelname)s %(name)s: %(message)s"
            )
            install_token_filter()
        if args.command not in ("run", "sync"):  # the bot serves every library
            config = _on_library(config, getattr(args, "library", None))
        return dispatch(args, config)
    except ConfigError as exc:
        _fail(say.CONFIG_ERROR.format(error=exc))
    except BriefError as exc:
        _fail(say.error_text(exc))
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as exc:  # e.g. a seeds folder that cannot be listed
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail(say.INTERRUPTED)
        return 130
    except Exception as exc:
        if not _library_error(exc):
            raise
        _fail(str(exc))
    return 1


def _library_error(exc: Exception) -> bool:
    """True for a LibraryCommandError; its module is imported only by the library commands
    (it loads asyncio, http and the readers), so without it the error cannot be one."""
    library = sys.modules.get("bot.commands_library")
    return library is not None and isinstance(exc, library.LibraryCommandError)
