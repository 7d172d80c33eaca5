"""Typed errors of the retrieval core; front ends turn each into one clear message."""


class BriefError(Exception):
    """Base of every error the retrieval core raises on purpose."""


class BadQuestion(BriefError):
    """The question has nothing to search for (empty, or only stopwords)."""


class SeedsMissing(BriefError):
    """The seeds folder does not exist or is not a folder."""


class EmptyCorpus(BriefError):
    """No usable brief was found, so there is nothing to index."""


class IndexMissing(BriefError):
    """No index file exists where one was expected."""


class IndexUnreadable(BriefError):
    """The index file exists but is damaged, from another version, or built with other settings."""


class UnreadableBrief(BriefError):
    """One source file cannot be used as a brief (the reason is the message)."""


class IndexUnwritable(BriefError):
    """The index file cannot be written (disk full, no permission); the old one is unchanged."""
