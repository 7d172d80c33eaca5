"""Progress of a long build (sentence vectors for many passages), for a terminal and for a
/reindex reply: worded once here, reported at most every few seconds."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from bot.messages import BUILD_PROGRESS

if TYPE_CHECKING:  # made by index/vectors.py, which loads with the encoder only
    from index.vectors import Progress


def progress_text(progress: Progress) -> str:
    """`Embedding sentences: 120 of 1,000 passages (35 a second, about 25 s left)`."""
    return BUILD_PROGRESS.format(
        done=progress.done,
        total=progress.total,
        rate=progress.rate,
        left=max(progress.left_seconds, 0.0),
    )


def throttled(report: Callable[[str], None], every: float) -> Callable[[Progress], None]:
    """A progress callback that passes the text to `report` once `every` seconds have
    passed, then at most once every `every` seconds, and for the last step if it said
    anything before: a short build says nothing."""
    last = [time.monotonic()]
    said = [False]

    def on_progress(progress: Progress) -> None:
        now = time.monotonic()
        final = progress.done >= progress.total
        if now - last[0] >= every or (final and said[0]):
            last[0] = now
            said[0] = True
            report(progress_text(progress))

    return on_progress


def terminal_progress(stream: TextIO = sys.stderr) -> Callable[[Progress], None] | None:
    """One line rewritten in place on a terminal; None (say nothing) when not a terminal."""
    if not stream.isatty():
        return None

    def show(text: str) -> None:
        stream.write(f"\r\x1b[2K{text}")
        stream.flush()

    shown = [False]

    def show_once(text: str) -> None:
        shown[0] = True
        show(text)

    def on_progress(progress: Progress) -> None:
        step(progress)
        if progress.done >= progress.total and shown[0]:
            stream.write("\n")

    step = throttled(show_once, 1.0)
    return on_progress
