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
def ordered(post_ptr: npt.NDArray[np.int64], post_doc: npt.NDArray[np.int32], n: int) -> bool: ...
