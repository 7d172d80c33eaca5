"""Types of the compiled concept scores (index/_concepts.c)."""

def combine(
    n: int,
    terms: list[str],
    scores: list[list[float]],
    holds: list[list[bool]],
    concepts: list[tuple[tuple[int, ...], ...]],
    factors: list[float],
) -> tuple[list[float], list[frozenset[str]], list[tuple[bool, ...]]]: ...
