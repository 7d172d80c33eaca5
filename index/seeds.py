"""The files of `seeds/` and their stamps: what a question compares with the saved index
to tell it is fresh, without loading what reads briefs (index/build.py)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from index.errors import SeedsMissing
from index.library import SourceStamp

# Moved out of index/build.py: its warnings keep the logger name users have seen.
log = logging.getLogger("index.build")


# A file of `seeds/` as its folder listing gives it: the path, and a stat kept once taken.
SeedFile = os.DirEntry[str]


def seed_sources(seeds_dir: Path) -> dict[str, SeedFile]:
    """The files of `seeds/` and its subfolders that matter to the index, by the name the
    index gives each (its path inside `seeds_dir`, with forward slashes), sorted by it;
    hidden files and folders are ignored, and links to folders are not followed.

    One os.scandir() pass, names joined as strings: every question over a saved index and
    every auto-refresh poll lists the folder and stats each file, and pathlib (a Path per
    file, relative_to() for its name) and a second stat were two thirds of that."""
    if not seeds_dir.is_dir():
        raise SeedsMissing(seeds_dir)
    found: list[tuple[str, SeedFile]] = []
    _scan(os.fspath(seeds_dir), "", found)
    found.sort(key=lambda f: f[0])
    # A name that is not UTF-8 cannot be stored in the index file nor shown.
    for _, entry in found:
        if not _utf8(entry.name):
            log.warning(
                "Ignoring %r in %s: its name is not UTF-8; rename it", entry.name, seeds_dir
            )
    return {name: entry for name, entry in found if _utf8(name)}


def _scan(folder: str, prefix: str, found: list[tuple[str, SeedFile]]) -> None:
    """Add the files of `folder` (named `prefix` + their name) and of its subfolders."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return  # a folder that cannot be listed is passed over, as os.walk does
    for entry in entries:
        if entry.name.startswith((".", "~")):
            continue
        if _is_file(entry):
            found.append((prefix + entry.name, entry))
        elif entry.is_dir(follow_symlinks=False) and not entry.name.startswith("__"):
            _scan(entry.path, f"{prefix}{entry.name}/", found)


def _is_file(entry: SeedFile) -> bool:
    """A regular file, or a link to one (as os.path.isfile)."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stamp(path: Path | SeedFile) -> SourceStamp:
    """Hash and stat `path`, to notice later when it changes; an unreadable file hashes to ""."""
    import hashlib  # here: loading OpenSSL costs a `briefbot ask` whose briefs are unchanged

    stat = os.stat(path)  # now, not as listed: the hash that follows is of the file now
    try:
        with open(path, "rb") as source:
            digest = hashlib.file_digest(source, "sha256").hexdigest()
    except OSError:
        digest = ""  # the build skips it and says why; a change of size or mtime is still seen
    return SourceStamp(sha256=digest, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def restamp(path: Path | SeedFile, old: SourceStamp | None) -> SourceStamp:
    """The stamp of `path`, reusing `old` when size and mtime are unchanged (no read; a
    listed file's stat is the listing's)."""
    if old is not None:
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (old.size, old.mtime_ns):
            return old
    return stamp(path)
