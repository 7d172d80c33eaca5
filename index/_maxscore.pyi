"""Types of the compiled top-k (index/_maxscore.c)."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

def top_terms(
    doc: npt.NDArray[np.int32],
    score: npt.NDArray[np.uint16],
    ptr: npt.NDArray[np.int64],
    unit: npt.NDArray[np.float64],
    peak: npt.NDArray[np.float64],
    tiers: int,
    terms: Sequence[tuple[int, int]],
    k: int,
    plus: float,
    total: npt.NDArray[np.float64],
    aux: npt.NDArray[np.float64],
    work: npt.NDArray[np.float64],
    ids: npt.NDArray[np.int32],
) -> list[tuple[int, float]]: ...
def columns(
    doc: npt.NDArray[np.int32],
    score: npt.NDArray[np.uint16],
    ptr: npt.NDArray[np.int64],
    unit: npt.NDArray[np.float64],
    tiers: int,
    terms: Sequence[int | None],
    cands: Sequence[int],
) -> list[tuple[list[float], list[bool]]]: ...
def holds(
    doc: npt.NDArray[np.int32],
    spans: Sequence[tuple[int, int]],
    owner: npt.NDArray[np.int32],
    cands: Sequence[int],
) -> list[list[bool]]: ...
