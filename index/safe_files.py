"""Reading files we did not write: only regular files, of bounded size, inside their folder.

A seeds folder or a config may hold a link to /dev/zero, a FIFO that blocks every
reader, a folder, or a file elsewhere on the machine (/etc/ssh/ssh_config). None
of these may hang a build, fill memory, or be quoted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from index.errors import BriefError


class FileRefused(BriefError):
    """A file was not read: not a regular file, too large, or unreadable; `reason` says which."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def inside(path: Path, root: Path) -> bool:
    """True when `path`, links resolved, is `root` or lies under it (links resolved too)."""
    try:
        real = path.resolve(strict=True)
        base = root.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a link loop, or no permission
        return False
    return real == base or real.is_relative_to(base)


def os_words(error: OSError) -> str:
    """The system's words for `error` ("Permission denied"), else its class name: what a
    message says, never a Python class name where the system has words."""
    return error.strerror or type(error).__name__


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path` when it is a regular file of at most `max_bytes`; else FileRefused.

    Opened without blocking (a FIFO with no writer would wait forever) and checked with
    fstat on the open descriptor, so the file cannot be swapped between check and read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(path, f"cannot read it ({os_words(exc)})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(path, "it is not a regular file")
        if info.st_size > max_bytes:
            raise FileRefused(path, f"it is {info.st_size} bytes, over the {max_bytes} limit")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:  # the file may grow while we read it
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(path, f"cannot read it ({os_words(exc)})") from exc
    finally:
        os.close(fd)
    if size > max_bytes:
        raise FileRefused(path, f"it grew over the {max_bytes} byte limit while being read")
    return b"".join(chunks)
