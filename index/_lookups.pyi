"""Types of the compiled key lookup (index/_lookups.c)."""

import numpy as np
import numpy.typing as npt

def find(keys: npt.NDArray[np.bytes_], key: bytes, /) -> int | None: ...
