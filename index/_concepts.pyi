"""Types of the compiled concept scores (index/_concepts.c)."""

def combine(
    n: int,
    terms: list[str],
    scores: list[list[float]],
    holds: list[list[bool]],
    concepts: list[tuple[tuple[int, ...], ...]],
    factors: list[float],
) -> tuple[list[float], list[frozenset[str]], list[tuple[bool, ...]]]: ...
def coverages(
    weights: list[float],
    total: float,
    rows: list[tuple[bool, ...]],
    lacking: list[int],
    in_context: list[tuple[bool, ...]],
    context_weight: float,
) -> list[float]: ...
