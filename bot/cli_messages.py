"""Every sentence the command line prints, in one place; core errors are worded here from
their data (the Discord bot words them in bot/messages.py).

Where the meaning is the same as on Discord the sentence is too: a question that cannot
be searched, "not covered" (the closest match is printed below it in both), and the facts
of a brief's metadata.
"""

from __future__ import annotations

from bot import messages
from index.errors import (
    BriefError,
    EmptyCorpus,
    IndexMissing,
    NothingToSearch,
    QuestionTooLong,
    SeedsMissing,
)

PREFIX = "briefbot: "

# The same sentences as on Discord, worded once in bot/messages.py.
NOT_COVERED = messages.NOT_COVERED
CLOSEST_FRAMING = messages.CLOSEST_FRAMING
NOTHING_TO_SEARCH = messages.NOTHING_TO_SEARCH
TOO_LONG = messages.TOO_LONG
ABOUT_BRIEF = messages.ABOUT_BRIEF
FACT_LABELS = messages.FACT_LABELS
FACT_NOT_GIVEN = messages.FACT_NOT_GIVEN

# Answers
NO_MATCH = "Nothing in the indexed briefs matches that question. Try other keywords."
BUILT = "Built the index ({why}): {briefs} brief(s), {passages} passages."
INDEXED = "Indexed {briefs} brief(s), {passages} passages in {seconds:.2f} s -> {path}"
SKIPPED = "Skipped {file}: {reason}"
INDEX_BUILT_AT = "Index built {built_at}."

SEEDS_MISSING = (
    "The seeds folder {folder} does not exist. Create it and put a brief "
    "(.txt, .md, .html or .pdf) in it, or set seeds_dir in the config."
)
SERVING_SAVED = "{problem} Answering from the saved index."
INDEX_MISSING = "No index at {path}. Build it with: briefbot index"

# Errors: one line on stderr, each after PREFIX.
CONFIG_ERROR = "config error: {error}"
INTERRUPTED = "interrupted"
BAD_RESULTS = "must be a whole number from 1 to {limit}"
DASH_QUESTION = '(a question that starts with "-" goes after "--": briefbot ask -- "-…")'

# briefbot run / sync
NO_TOKEN = (
    "set {env} to your bot's token (Discord Developer Portal > your app > Bot > "
    "Reset Token); it is read only from the environment"
)
BAD_TOKEN = (
    "Discord rejected the token in {env}; reset it in the Discord Developer Portal "
    "and set {env} again"
)
NO_INTENTS = "Discord refused the intents the bot asked for"
UNREACHABLE = "cannot reach Discord ({error})"
DISCORD_ANSWERED = "Discord answered {status} ({error})"
SYNCED = "Registered {count} command(s) {where}: {names}"
SYNCED_NONE = "none"
GLOBALLY = "globally"
IN_SERVER = "in server {guild_id}"


def error_text(error: BriefError) -> str:
    """One line for a core error: worded from its data where the core gives data."""
    if isinstance(error, QuestionTooLong):
        return TOO_LONG.format(length=error.length, limit=error.limit)
    if isinstance(error, NothingToSearch):
        return NOTHING_TO_SEARCH
    if isinstance(error, SeedsMissing):
        return SEEDS_MISSING.format(folder=error.folder)
    if isinstance(error, IndexMissing):
        return INDEX_MISSING.format(path=error.path)
    if isinstance(error, EmptyCorpus):
        return str(error)  # names the folder and each file's reason
    return str(error)
