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


def seed_sources(seeds_dir: Path) -> dict[str, Path]:
    """The files of `seeds/` and its subfolders that matter to the index, by the name the
    index gives each (its path inside `seeds_dir`, with forward slashes), sorted by it;
    hidden files and folders are ignored, and links to folders are not followed.

    Names are joined as strings, not with pathlib: every question and every auto-refresh
    poll lists the folder, and pathlib's parsing was half of that for 10,000 briefs."""
    if not seeds_dir.is_dir():
        raise SeedsMissing(seeds_dir)
    top = os.fspath(seeds_dir)
    found: list[tuple[str, str]] = []  # (name, path)
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~", "__")))
        inside = os.path.relpath(folder, top)
        prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
        found += [
            (prefix + n, os.path.join(folder, n)) for n in names if not n.startswith((".", "~"))
        ]
    found = sorted(f for f in found if os.path.isfile(f[1]))
    # A name that is not UTF-8 cannot be stored in the index file nor shown.
    for file in (os.path.basename(path) for _, path in found):
        if not _utf8(file):
            log.warning("Ignoring %r in %s: its name is not UTF-8; rename it", file, seeds_dir)
    return {name: Path(path) for name, path in found if _utf8(name)}


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
