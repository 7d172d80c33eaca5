"""`briefbot add`, `remove` and `audit`: the library commands on the host, the same path
as /brief (bot/shelf.py, bot/library_changes.py), audited the same way."""

from __future__ import annotations

import getpass
import sys
from dataclasses import asdict
from pathlib import Path

from bot import audit, library_changes
from bot import library_messages as say
from bot.config import Config
from bot.console import to_json, wrap
from bot.libraries import open_holder_of
from bot.shelf import (
    Candidate,
    SameTitle,
    ShelfError,
    UnknownBrief,
    check_candidate,
    find_brief,
    read_candidate,
)
from bot.terminal import clean
from index.errors import BriefError
from index.fetch import fetch
from index.readers import MAX_DOCUMENT_BYTES


class LibraryCommandError(Exception):
    """A library command that could not be carried out; the message is for the terminal."""


def _user() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):  # no user name for this uid (containers)
        return "command line"


def _record(config: Config, action: str, brief: str, result: str) -> None:
    audit.append(config.audit_path, audit.entry(action, brief, result, moderator=_user()))


def _candidate(config: Config, source: str, metadata: dict[str, str | None]) -> Candidate:
    """The brief in the file or behind the link `source`."""
    limits = config.library
    if source.startswith(("http://", "https://")):
        fetched = fetch(
            source,
            allow_hosts=frozenset(limits.allow_hosts),
            max_bytes=limits.fetch_max_bytes,
            timeout=limits.fetch_timeout,
        )
        name, data, url = f"link{fetched.suffix}", fetched.body, fetched.final_url
        return read_candidate(data, name, max_bytes=limits.fetch_max_bytes, url=url, **metadata)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LibraryCommandError(say.CLI_UNREADABLE.format(path=path, why=exc.strerror)) from exc
    return read_candidate(data, path.name, max_bytes=MAX_DOCUMENT_BYTES, **metadata)


def cmd_add(
    config: Config, source: str, metadata: dict[str, str | None], on_same_title: str | None
) -> int:
    """Add the brief in a file or behind a link to the library; print what was understood.

    on_same_title: "replace" or "keep" when a brief of the same title may be there.
    """
    holder = open_holder_of(config)
    try:
        candidate = _candidate(config, source, metadata)
        replacing = None
        if holder is not None:
            try:
                check_candidate(candidate, holder.library)
            except SameTitle as exc:
                if on_same_title is None:
                    raise LibraryCommandError(say.CLI_SAME_TITLE.format(title=exc.title)) from exc
                replacing = exc.brief_id if on_same_title == "replace" else None
        change = library_changes.add(config, holder, candidate, replacing)
    except (ShelfError, BriefError) as exc:
        _record(config, "add", source, f"refused: {say.problem_text(exc)}")
        raise LibraryCommandError(say.problem_text(exc)) from exc
    action = "replace" if replacing else "add"
    _record(config, action, change.brief_id, "ok")
    brief = candidate.brief
    head = say.CLI_REPLACED if replacing else say.CLI_ADDED
    # The title, the first paragraph and what was dropped come from the file or the page.
    lines = [
        head.format(title=candidate.title, paragraphs=len(brief.paragraphs), id=change.brief_id),
        say.CLI_PREVIEW.format(preview=candidate.preview()[:300]),
    ]
    if brief.dropped:
        lines.append(say.CLI_DROPPED.format(dropped=", ".join(brief.dropped)))
    print(wrap("\n".join(lines), indent="    "))
    return 0


def cmd_remove(config: Config, name: str, yes: bool) -> int:
    """Remove a brief (by id or title) after a confirmation (--yes, or a prompt on a tty)."""
    holder = open_holder_of(config)
    if holder is None:
        raise LibraryCommandError(say.CLI_EMPTY)
    try:
        brief_id = find_brief(holder.library, name)
    except UnknownBrief as exc:  # the Discord wording points at /brief list
        raise LibraryCommandError(say.CLI_NO_SUCH_BRIEF.format(brief=exc.name)) from exc
    except ShelfError as exc:
        raise LibraryCommandError(say.problem_text(exc)) from exc
    title = holder.library.briefs[brief_id].title
    if not yes:
        if not sys.stdin.isatty():
            raise LibraryCommandError(say.CLI_CONFIRM_NEEDED.format(title=title))
        if input(clean(say.CLI_CONFIRM.format(title=title))).strip().lower() not in ("y", "yes"):
            print(wrap(say.CLI_KEPT.format(title=title)))
            return 1
    try:
        library_changes.remove(config, holder, brief_id)
    except library_changes.LastBrief as exc:
        raise LibraryCommandError(say.LAST_BRIEF) from exc
    except (ShelfError, BriefError) as exc:
        _record(config, "remove", brief_id, f"failed: {exc}")
        raise LibraryCommandError(say.problem_text(exc)) from exc
    _record(config, "remove", brief_id, "ok")
    print(wrap(say.REMOVED.format(title=title)))
    return 0


def cmd_audit(config: Config, as_json: bool) -> int:
    """Print the library's audit log, oldest first."""
    for item in audit.read(config.audit_path):
        # Names, titles and reasons come from Discord and from briefs: made safe to show.
        print(to_json(asdict(item)) if as_json else clean(audit.line_of(item)))
    return 0
