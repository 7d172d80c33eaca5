"""Every user-facing string of the Discord bot, in one place to keep the wording consistent.

One or two neutral sentences: what happened and what to do next. No exception
text is ever shown to users; it goes to the log.
"""

from __future__ import annotations

from index.errors import SeedsMissing

# /ask. NOT_COVERED is also the command line's sentence (bot/cli_messages.py).
NOT_COVERED = "The brief does not seem to answer this. The closest match is below, for reference."
CLOSEST_MATCH = "Closest match (not an answer)"
# Neither the words nor the meaning settle it (index.search: verdict "closest").
CLOSEST_FRAMING = (
    "These are the closest passages in the brief; they may not answer your question exactly."
)
NO_MATCH = "I couldn't find that in the brief. Try other keywords."
NO_MORE = "There are no more passages for this question."
# A question about the brief as a document, answered from its metadata (index/about.py).
ABOUT_BRIEF = "About {title}, from its metadata"
ABOUT_BRIEFS = "About each of the {count} briefs, from their metadata"
FACT_LABELS = {
    "title": "Title",
    "publisher": "Publisher",
    "author": "Author",
    "date": "Date",
    "url": "Link",
}
FACT_NOT_GIVEN = "not given in the brief's metadata"
THE_BRIEF = "the brief"
EXPIRED = "This button has expired (the bot restarted). Ask the question again with /ask."
QUESTION_LABEL = "Question"
MORE_LABEL = "More"
CONTEXT_LABEL = "Context {locator}"
CONTEXT_TITLE = "Context of {locator}"
CONTEXT_GONE = "That paragraph is no longer in the index. Ask the question again with /ask."
PAGE_FOOTER = "Passages {first}-{last}"
EMPTY_MESSAGE = "The message has no text to search for."
# Questions the core cannot search (index.errors.QuestionTooLong, NothingToSearch).
NOTHING_TO_SEARCH = (
    "The question has no words to search for. Ask with a few keywords, "
    'for example "Why does China matter to North Korea?"'
)
TOO_LONG = "The question is {length} characters long; keep it under {limit}."

# /passage
PASSAGE_OUT_OF_RANGE = "{title} has paragraphs 1-{count}. Pick a number in that range."
UNKNOWN_BRIEF = 'There is no brief named "{brief}". Use /sources to see the briefs.'
WHICH_BRIEF = "Several briefs are indexed; say which one with the brief option: {briefs}."

# /sources
SOURCES_TITLE = "Indexed briefs"
SOURCES_LINE = "{paragraphs} paragraphs, {passages} passages"
SOURCES_FOOTER = "Index built {built_at}"
UNTITLED = "Untitled brief"

# /reindex
NOT_MODERATOR = "Only moderators (Manage Server, or a moderator role) can rebuild the index."
REINDEX_RUNNING = "A reindex is already running."
# A long build, on a terminal and in /reindex's reply (bot/progress.py).
BUILD_PROGRESS = (
    "Embedding sentences: {done:,} of {total:,} passages ({rate:,.0f} a second, "
    "about {left:,.0f} s left)"
)
REINDEX_DONE = (
    "Rebuilt the index in {seconds:.2f} s: {briefs} brief(s) (was {old_briefs}), "
    "{passages} passages (was {old_passages})."
)
REINDEX_DONE_AFRESH = (
    "Rebuilt the index in {seconds:.2f} s: {briefs} brief(s), {passages} passages. The "
    "previous index was damaged on disk, so every brief was read again."
)
REINDEX_SKIPPED = "Skipped {file}: {reason}"
REINDEX_FAILED = "The rebuild failed, so the previous index is still answering: {reason}"
SEEDS_MISSING = "the seeds folder {folder} does not exist."
INDEX_UNWRITABLE = "the index file could not be written ({error})."

# Errors and limits
COOLDOWN = "You're asking quickly. Try again in {seconds:.0f} s."
GUILD_ONLY = "This command only works in a server."
INDEX_DAMAGED = (
    "The index of this library turned out damaged on disk, so I could not answer. It is "
    "being rebuilt from the briefs now: please ask again in a minute."
)
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again later."


def build_error_text(error: BaseException) -> str:
    """Why a rebuild failed, for a moderator: worded from the core error's data where it has
    some; a core error without data (no usable brief, unwritable file) describes itself."""
    if isinstance(error, SeedsMissing):
        return SEEDS_MISSING.format(folder=error.folder)
    if isinstance(error, OSError):
        return INDEX_UNWRITABLE.format(error=error.__class__.__name__)
    return str(error)
