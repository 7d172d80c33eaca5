"""Types of the compiled key lookup (index/_lookups.c)."""

import numpy as np
import numpy.typing as npt

class Keys:
    def __init__(self, keys: npt.NDArray[np.bytes_], /) -> None: ...
    def find(self, key: bytes, /) -> int | None: ...
