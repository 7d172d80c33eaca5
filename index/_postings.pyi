"""Types of the compiled postings builder (index/_postings.c)."""

import numpy as np
import numpy.typing as npt

def count(
    doc_ptr: npt.NDArray[np.int64], doc_terms: npt.NDArray[np.uint32], df: npt.NDArray[np.int64]
) -> int: ...
def fill(
    doc_ptr: npt.NDArray[np.int64],
    doc_terms: npt.NDArray[np.uint32],
    df: npt.NDArray[np.int64],
    term: npt.NDArray[np.int32],
    doc: npt.NDArray[np.int32],
    tf: npt.NDArray[np.int32],
) -> None: ...
def score(
    term: npt.NDArray[np.int32],
    doc: npt.NDArray[np.int32],
    tf: npt.NDArray[np.int32],
    words: npt.NDArray[np.int64],
    idf: npt.NDArray[np.float64],
    variant: int,
    k1: float,
    b: float,
    delta: float,
    avgdl: float,
    edge: float,
    levels: float,
    post_ptr: npt.NDArray[np.int64],
    post_doc: npt.NDArray[np.int32],
    post_tf: npt.NDArray[np.int32],
    post_score: npt.NDArray[np.uint16],
    post_unit: npt.NDArray[np.float64],
    max_score: npt.NDArray[np.float64],
) -> None: ...
def ordered(post_ptr: npt.NDArray[np.int64], post_doc: npt.NDArray[np.int32], n: int) -> bool: ...
