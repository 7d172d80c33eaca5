"""Types of the compiled pair scan (index/_pairs.c)."""

from collections.abc import Callable

def adjacent(text: str, wanted: str) -> list[tuple[str, str]]: ...
def held(
    text: str,
    wanted: str,
    stem: Callable[[str], str],
    heads: frozenset[str],
    pairs: frozenset[tuple[str, str]],
    openings: str,
    /,
) -> int: ...
