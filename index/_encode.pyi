"""Types of the compiled piece lookup (index/_encode.c)."""

from collections.abc import Callable, Sequence

class Cache: ...

def entries(
    cache: Cache,
    texts: Sequence[str],
    piece: Callable[[str], int],
    joined: Callable[[str], int],
    other: Callable[[str], list[int]],
) -> tuple[bytes, bytes]: ...
