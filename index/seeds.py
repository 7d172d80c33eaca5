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


def seed_files(seeds_dir: Path) -> list[Path]:
    """The files of `seeds/` and its subfolders that matter to the index, sorted by their
    path; hidden files and folders are ignored, and links to folders are not followed."""
    if not seeds_dir.is_dir():
        raise SeedsMissing(seeds_dir)
    files: list[Path] = []
    for folder, dirs, names in os.walk(seeds_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~", "__")))
        base = Path(folder)
        files += [base / n for n in names if not n.startswith((".", "~"))]
    files = sorted((p for p in files if p.is_file()), key=lambda p: source_name(seeds_dir, p))
    # A name that is not UTF-8 cannot be stored in the index file nor shown.
    for path in files:
        if not _utf8(path.name):
            log.warning("Ignoring %r in %s: its name is not UTF-8; rename it", path.name, seeds_dir)
    return [p for p in files if _utf8(str(p.relative_to(seeds_dir)))]


def source_name(seeds_dir: Path, path: Path) -> str:
    """How the index names a file of `seeds_dir`: its path inside it, with forward slashes."""
    return path.relative_to(seeds_dir).as_posix()


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stamp(path: Path) -> SourceStamp:
    """Hash and stat `path`, to notice later when it changes; an unreadable file hashes to ""."""
    import hashlib  # here: loading OpenSSL costs a `briefbot ask` whose briefs are unchanged

    stat = path.stat()
    try:
        with path.open("rb") as source:
            digest = hashlib.file_digest(source, "sha256").hexdigest()
    except OSError:
        digest = ""  # the build skips it and says why; a change of size or mtime is still seen
    return SourceStamp(sha256=digest, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def restamp(path: Path, old: SourceStamp | None) -> SourceStamp:
    """The stamp of `path`, reusing `old` when size and mtime are unchanged (no read)."""
    if old is not None:
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (old.size, old.mtime_ns):
            return old
    return stamp(path)
