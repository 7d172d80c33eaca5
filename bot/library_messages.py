"""Every sentence of the library commands (/brief, `briefbot add|remove|audit`), in one place.

Placeholders are filled with escaped data by the caller (bot/cogs/library.py) or plain
data by the CLI (bot/commands_library.py).
"""

from __future__ import annotations

from bot.shelf import Duplicate, SameTitle, ShelfError, TooLarge, UnknownBrief, Unsupported
from index.errors import BriefError
from index.fetch import FetchFailed, FetchRefused

ADDED = "Added **{title}** ({paragraphs} paragraphs) to the library; it answers questions now."
REPLACED = "Replaced **{title}** ({paragraphs} paragraphs); it answers questions now."
PREVIEW = "First paragraph: {preview}"
DROPPED = "Left out as page chrome: {dropped}."
NOTHING_DROPPED = "Nothing was left out as page chrome."
DUPLICATE = 'The same text is already in the library as "{title}"; nothing was added.'
SAME_TITLE = (
    'A brief titled "{title}" is already in the library. Replace it with this one, or keep both?'
)
REPLACE_LABEL = "Replace"
KEEP_BOTH_LABEL = "Keep both"
REMOVE_CONFIRM = (
    'Remove "{title}" ({paragraphs} paragraphs) from the library? This cannot be undone.'
)
REMOVE_LABEL = "Remove"
REMOVED = 'Removed "{title}" from the library.'
LAST_BRIEF = "That is the library's only brief; add another before removing it."
ONE_SOURCE = "Give either a file or a link, not both (and not neither)."
EXPIRED = "This button has expired; run the command again."
BUSY = "The library is being changed; try again in a moment."
FAILED = "The library could not be changed ({reason}); it still answers as before."
EMPTY_LIBRARY = "This server's library has no brief yet. A moderator can add one with /brief add."
NO_SUCH_BRIEF = 'There is no brief named "{brief}" in this library. Use /brief list.'
MOD_LOG = '{moderator} {action} "{brief}": {result}'

_UNSUPPORTED = "{name} cannot be added: {reason}."
_UNKNOWN_SUFFIX = "a brief must be a .txt, .md, .html, .htm or .pdf file"
_TOO_LARGE = "The file is {size:,} bytes, over the {limit:,}-byte limit. Nothing was added."
_FETCH_REFUSED = {
    "scheme": "only http and https links can be fetched",
    "bad-url": "that is not a valid link",
    "address": "the link points at a private or local address, which is not allowed",
    "too-many-redirects": "the link redirects too many times",
    "content-type": "the link is not a web page, a PDF or plain text",
    "encoding": "the page is compressed in a way that is not accepted",
    "too-large": "the page is over the size limit",
}
_FETCH_FAILED = "the link could not be fetched ({reason})"


def problem_text(exc: Exception) -> str:
    """What to tell a moderator about a failed add or remove (data is not escaped here)."""
    if isinstance(exc, TooLarge):
        return _TOO_LARGE.format(size=exc.size, limit=exc.limit)
    if isinstance(exc, Unsupported):
        reason = _UNKNOWN_SUFFIX if exc.reason == "unknown-suffix" else exc.reason
        return _UNSUPPORTED.format(name=exc.name, reason=reason) + " Nothing was added."
    if isinstance(exc, FetchRefused):
        return f"Not fetched: {_FETCH_REFUSED.get(exc.reason, exc.reason)}. Nothing was added."
    if isinstance(exc, FetchFailed):
        return _FETCH_FAILED.format(reason=exc.reason).capitalize() + ". Nothing was added."
    if isinstance(exc, Duplicate):
        return DUPLICATE.format(title=exc.title)
    if isinstance(exc, SameTitle):
        return SAME_TITLE.format(title=exc.title)
    if isinstance(exc, UnknownBrief):
        return NO_SUCH_BRIEF.format(brief=exc.name)
    if isinstance(exc, ShelfError | BriefError):
        return FAILED.format(reason=str(exc)[:200])
    return FAILED.format(reason=type(exc).__name__)


# The command line (bot/commands_library.py): plain text, nothing escaped.
CLI_ADDED = 'Added "{title}" ({paragraphs} paragraphs) as {id}; the index is refreshed.'
CLI_REPLACED = 'Replaced "{title}" ({paragraphs} paragraphs) as {id}; the index is refreshed.'
CLI_PREVIEW = "First paragraph: {preview}"
CLI_DROPPED = "Left out as page chrome: {dropped}."
CLI_SAME_TITLE = (
    'A brief titled "{title}" is already in the library. Run again with --replace to '
    "replace it, or --keep-both to add this one beside it."
)
CLI_UNREADABLE = "Cannot read {path} ({why})."
CLI_EMPTY = "The library has no brief yet."
CLI_NO_SUCH_BRIEF = (
    'There is no brief named "{brief}" in this library. List them with: briefbot sources'
)
CLI_CONFIRM = 'Remove "{title}" from the library? [y/N] '
CLI_CONFIRM_NEEDED = 'Removing "{title}" needs a confirmation: run again with --yes.'
CLI_KEPT = 'Kept "{title}".'
CLI_UNKNOWN_LIBRARY = "There is no library named {name} in the config (known: {known})."
