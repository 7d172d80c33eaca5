"""Adding and removing briefs in a library folder, for /brief and `briefbot add|remove`.

No discord here: the bot and the CLI both call these. A brief is read (and so checked)
before anything is written; writes go through a temporary file and os.replace, so a
rebuild never sees half a file. Errors carry data; the front ends word them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import yaml

from index import Library
from index.brief import METADATA_KEYS, METADATA_SUFFIXES, Brief, standfirst_paragraph
from index.brief_formats import read_document_brief
from index.errors import UnreadableBrief
from index.files import write_atomically
from index.readers import SUFFIXES

MAX_ID_CHARS = 60


class ShelfError(Exception):
    """Something a moderator asked of the library that cannot be done as asked."""


class Unsupported(ShelfError):
    """The file cannot be a brief: an unknown extension, or content no reader can use."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class TooLarge(ShelfError):
    """The file is over the configured size cap."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over {limit}")
        self.size = size
        self.limit = limit


class Duplicate(ShelfError):
    """The same text is already in the library, as brief `brief_id`."""

    def __init__(self, brief_id: str, title: str) -> None:
        super().__init__(brief_id)
        self.brief_id = brief_id
        self.title = title


class SameTitle(ShelfError):
    """Another brief has the same title: replace it or keep both, never silently."""

    def __init__(self, brief_id: str, title: str) -> None:
        super().__init__(brief_id)
        self.brief_id = brief_id
        self.title = title


class UnknownBrief(ShelfError):
    """No brief of the library has this id or title."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Candidate:
    """A brief read from a file or a link, checked, not yet written."""

    brief: Brief
    data: bytes
    suffix: str
    metadata: dict[str, str | None]

    @property
    def title(self) -> str:
        """The title it will be listed under."""
        return self.metadata.get("title") or self.brief.title

    def preview(self) -> str:
        """The first paragraph (the standfirst when there is one), as a reader sees it."""
        lead = standfirst_paragraph(self.brief)
        return lead.text if lead else self.brief.paragraphs[0].text


def read_candidate(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    url: str | None = None,
    **metadata: str | None,
) -> Candidate:
    """Read `data` (a file called `filename`) as a brief; Unsupported or TooLarge if not.

    `metadata` (title, publisher, date, url, author) given by the moderator wins over
    the document's own.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise Unsupported(filename, "unknown-suffix")
    if len(data) > max_bytes:
        raise TooLarge(len(data), max_bytes)
    try:
        brief = read_document_brief(data, Path(f"brief{suffix}"), "new", url=url)
    except UnreadableBrief as exc:
        raise Unsupported(filename, str(exc)) from exc
    meta = {k: v for k, v in metadata.items() if k in METADATA_KEYS and v}
    own = {"title": brief.title, "publisher": brief.publisher, "url": brief.url}
    own |= {"author": brief.author, "date": brief.date}
    merged = {k: meta.get(k) or own.get(k) for k in METADATA_KEYS}
    return Candidate(brief=brief, data=data, suffix=suffix, metadata=merged)


def _fingerprint(texts: list[str]) -> str:
    """Text with all whitespace and case removed: equal for the same brief however split."""
    return re.sub(r"\s+", "", "".join(texts)).casefold()


def check_candidate(candidate: Candidate, library: Library) -> None:
    """Duplicate when the same text is in `library`; SameTitle when the title is taken."""
    brief = candidate.brief
    lead = standfirst_paragraph(brief)
    mine = _fingerprint([p.text for p in ([lead] if lead else []) + list(brief.paragraphs)])
    for info in library.briefs.values():
        theirs = [
            p.text
            for p in (library.passages[i] for i in library.passages.of_brief(info.id))
            if p.kind != "caption"  # the body and standfirst, as `mine`
        ]
        if _fingerprint(theirs) == mine:
            raise Duplicate(info.id, info.title)
    folded = candidate.title.strip().casefold()
    for info in library.briefs.values():
        if info.title.strip().casefold() == folded:
            raise SameTitle(info.id, info.title)


def slug(title: str) -> str:
    """A file name for a brief titled `title`: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:MAX_ID_CHARS].rstrip("-") or "brief"


def _taken(seeds_dir: Path, brief_id: str) -> bool:
    return any((seeds_dir / f"{brief_id}{s}").exists() for s in SUFFIXES + METADATA_SUFFIXES)


def new_id(seeds_dir: Path, title: str) -> str:
    """A brief id from `title` that no file of `seeds_dir` uses yet."""
    base = slug(title)
    brief_id, n = base, 1
    while _taken(seeds_dir, brief_id):
        n += 1
        brief_id = f"{base}-{n}"
    return brief_id


def _write(path: Path, data: bytes) -> None:
    def fill(out: BinaryIO) -> None:
        out.write(data)

    write_atomically(path, fill)


def write_candidate(seeds_dir: Path, candidate: Candidate, replacing: str | None = None) -> str:
    """Write the brief and its metadata into `seeds_dir`; return its id.

    `replacing`: the id of a brief this one replaces (its files are swapped for these);
    else a new id is made from the title. IndexUnwritable when the disk refuses.
    """
    brief_id = replacing or new_id(seeds_dir, candidate.title)
    meta = {k: v for k, v in candidate.metadata.items() if v}
    meta_path = seeds_dir / f"{brief_id}.yaml"
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    _write(meta_path, text.encode("utf-8"))
    target = seeds_dir / f"{brief_id}{candidate.suffix}"
    _write(target, candidate.data)
    if replacing:
        for old in brief_files(seeds_dir, brief_id):
            if old not in (target, meta_path):
                old.unlink(missing_ok=True)
    return brief_id


def brief_files(seeds_dir: Path, brief_id: str) -> list[Path]:
    """The files of brief `brief_id`: the brief in any format, and its metadata."""
    return [
        path
        for suffix in SUFFIXES + METADATA_SUFFIXES
        if (path := seeds_dir / f"{brief_id}{suffix}").is_file()
    ]


def find_brief(library: Library, name: str) -> str:
    """The id of the brief called `name` (its id or its title); UnknownBrief if none."""
    folded = name.strip().casefold()
    for info in library.briefs.values():
        if folded in (info.id.casefold(), info.title.strip().casefold()):
            return info.id
    raise UnknownBrief(name)


def remove_brief(seeds_dir: Path, brief_id: str) -> list[str]:
    """Delete the files of brief `brief_id`; return their names (empty: none were there)."""
    removed = []
    for path in brief_files(seeds_dir, brief_id):
        os.unlink(path)
        removed.append(path.name)
    return removed


def with_title(candidate: Candidate, title: str) -> Candidate:
    """The same candidate listed under another title."""
    return replace(candidate, metadata={**candidate.metadata, "title": title})
