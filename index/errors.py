"""Typed errors of the retrieval core. They carry data (lengths, limits, paths); the front
ends' message modules (bot/messages.py, bot/cli_messages.py) choose the words users see.

`str(error)` stays a plain description, for logs and for errors no front end words.
"""

from __future__ import annotations

from pathlib import Path


class BriefError(Exception):
    """Base of every error the retrieval core raises on purpose."""


class BadQuestion(BriefError):
    """The question cannot be searched; a subclass says why."""


class QuestionTooLong(BadQuestion):
    """The question is longer than MAX_QUESTION_CHARS."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"question of {length} characters; the limit is {limit}")
        self.length = length
        self.limit = limit


class NothingToSearch(BadQuestion):
    """The question has no searchable word (empty, punctuation, emoji or only stopwords)."""

    def __init__(self) -> None:
        super().__init__("the question has no words to search for")


class SeedsMissing(BriefError):
    """The seeds folder does not exist or is not a folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"the seeds folder {folder} does not exist")
        self.folder = folder


class EmptyCorpus(BriefError):
    """No usable brief was found, so there is nothing to index.

    folder: where the briefs were looked for (None: no folder involved, e.g. a
    library built from passages in memory); skipped: (file, reason) of each file
    that could not be used.
    """

    def __init__(
        self, folder: Path | None = None, skipped: tuple[tuple[str, str], ...] = ()
    ) -> None:
        why = "; ".join(f"{f}: {r}" for f, r in skipped)
        why = why or "the folder has no .txt, .md, .html or .pdf file"
        super().__init__(
            f"No usable brief in {folder} ({why})." if folder else "there are no passages to index"
        )
        self.folder = folder
        self.skipped = skipped


class IndexMissing(BriefError):
    """No index file exists where one was expected."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no index at {path}")
        self.path = path


class IndexUnreadable(BriefError):
    """The index file exists but is damaged, from another version, or built with other settings.

    The message is the reason, e.g. "it was built with other settings".
    """


class UnreadableBrief(BriefError):
    """One source file cannot be used as a brief (the reason is the message)."""


class IndexUnwritable(BriefError):
    """The index file cannot be written (disk full, no permission); the old one is unchanged.

    The message is the whole description (path and the system's reason).
    """
