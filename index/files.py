"""What both index file formats share: the manifest check and the atomic write.

A write goes to a temporary file beside the target, is fsynced, then swapped in
with `os.replace`: a crash or a full disk at any point leaves the previous file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from index.errors import IndexUnreadable, IndexUnwritable
from index.library import Library
from index.settings import IndexSettings

# Temporary files older than this, left by writers that were killed, are removed.
LEFTOVER_AGE_SECONDS = 3600
# The first bytes of a mapped index file (index/mapped_backend.py); kept here so that
# telling a file's format loads neither backend.
MAGIC = b"BRIEFBOT-NPIDX\x00\x01"


def check_manifest(data: object, fmt: str, version: int, settings: IndexSettings) -> dict[str, Any]:
    """`data` when it is a manifest of this format, version and settings; else IndexUnreadable."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise IndexUnreadable("it is not a briefbot index file")
    if data.get("version") != version:
        raise IndexUnreadable(
            f"it has format version {data.get('version')!r}; this briefbot reads version {version}"
        )
    if data.get("settings") != settings.ranking():
        raise IndexUnreadable("it was built with other settings")
    return data


def manifest(index: Library, fmt: str, version: int) -> dict[str, Any]:
    """The manifest fields both formats write: format, version, settings, sources..."""
    return {
        "format": fmt,
        "version": version,
        "settings": index.settings.ranking(),
        "built_at": index.built_at,
        # vars(), not asdict(): plain values, and asdict's deep copy was a tenth of a refresh
        # of 10,000 briefs.
        "sources": {name: dict(vars(s)) for name, s in index.sources.items()},
        "skipped": [asdict(s) for s in index.skipped],
        "aliases": index.alias_groups,
    }


def unwritable(path: Path, exc: OSError) -> str:
    """The message for an index file that cannot be written: why, and what is on disk now."""
    why = exc.strerror or exc.__class__.__name__
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and folder and not folder.is_dir():
        why = f"{folder} is a file, not a folder"  # mkdir's own words are "File exists"
    kept = "the previous index file is unchanged" if path.is_file() else "no index file was written"
    return f"Cannot write the index to {path} ({why}); {kept}."


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Have `write` fill a temporary file beside `path`, then swap it in.

    On any failure `path` is left as it was and the temporary file removed; an
    OSError (disk full, no permission, a folder in the way) becomes IndexUnwritable.
    The temporary file's name carries this process's id, so the next writer can
    tell the leftovers of killed writers from files still being written.
    """
    import tempfile  # here: only writers need it (it loads shutil, random, bz2 and lzma)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(path)  # before writing: disk space a killed writer held comes back
        prefix = f".{path.name}.{os.getpid()}."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise IndexUnwritable(unwritable(path, exc)) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise IndexUnwritable(unwritable(path, exc)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writer_pid(leftover: Path, target: Path) -> int | None:
    """The process id in the name of a temporary file of `target`, or None (older names)."""
    middle = leftover.name.removeprefix(f".{target.name}.").removesuffix(".tmp")
    pid, dot, _ = middle.partition(".")
    return int(pid) if dot and pid.isdigit() else None


def _alive(pid: int) -> bool:
    """True when a process `pid` exists (here: our pid namespace)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is not ours to signal
    return True


def _remove_leftovers(path: Path) -> None:
    """Delete temporary files that writers killed mid-write left beside `path`.

    A file whose writer process is gone is removed at once. One whose writer is
    alive (or this process: another thread may be writing), or whose name has no
    process id, is removed only when old: its pid may have been reused.
    """
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        pid = writer_pid(leftover, path)
        try:
            gone = pid is not None and pid != os.getpid() and not _alive(pid)
            if gone or leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue  # gone already, or not ours to delete: harmless either way


def is_large(path: Path) -> bool:
    """True when `path` starts like a numpy-engine (mapped) index file."""
    try:
        with path.open("rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def alias_groups(data: object) -> list[list[str]]:
    """The alias groups of a manifest, checked: a list of lists of names."""
    if not isinstance(data, list) or not all(
        isinstance(g, list) and all(isinstance(n, str) for n in g) for g in data
    ):
        raise TypeError("aliases must be a list of lists of names")
    return data
