"""Every sentence the command line prints, in one place; core errors are worded here from
their data (the Discord bot words them in bot/messages.py)."""

from __future__ import annotations

from bot.messages import NOTHING_TO_SEARCH, TOO_LONG
from index.errors import (
    BriefError,
    EmptyCorpus,
    IndexMissing,
    NothingToSearch,
    QuestionTooLong,
    SeedsMissing,
)

# Answers
NOT_COVERED = "The brief does not seem to answer this. Closest match, for what it is worth:"
NO_MATCH = "Nothing in the indexed briefs matches that question. Try other keywords."
BUILT = "Built the index ({why}): {briefs} brief(s), {passages} passages."
INDEXED = "Indexed {briefs} brief(s), {passages} passages in {seconds:.2f} s -> {path}"
SKIPPED = "Skipped {file}: {reason}"
INDEX_BUILT_AT = "Index built {built_at}."

# Questions are worded as in Discord (bot/messages.py: NOTHING_TO_SEARCH, TOO_LONG).
SEEDS_MISSING = (
    "The seeds folder {folder} does not exist. Create it and put a brief "
    "(.txt or .md) in it, or set seeds_dir in the config."
)
SERVING_SAVED = "{problem} Answering from the saved index."
INDEX_MISSING = "No index at {path}. Build it with: briefbot index"


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
