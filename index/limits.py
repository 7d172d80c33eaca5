"""Limits every front end shares: how long a question may be, how many passages an answer holds."""

from __future__ import annotations

# Longer than any question; short enough that a pasted essay is refused, not searched.
MAX_QUESTION_CHARS = 4000
# Passages one search returns at most (Discord pages them; the CLI prints them).
MAX_RESULTS = 10
