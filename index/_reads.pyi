"""Types of the compiled passage and brief reads (index/_reads.c)."""

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

# Any buffer of the documented item size, in the machine's byte order.
Buffer = memoryview | bytes | npt.NDArray[np.generic]

class Damaged(ValueError): ...

class PassageReader:
    def __init__(
        self,
        text: Buffer,
        blocks: Buffer,
        ptr: Buffer,
        brief: Buffer,
        paragraph: Buffer,
        part: Buffer,
        start: Buffer,
        end: Buffer,
        page: Buffer,
        crc: Buffer,
        frame_size: Callable[[memoryview], int],
        zstd_error: type[BaseException],
        /,
    ) -> None: ...
    def read_cited(
        self, i: int, inflate: Callable[[memoryview], bytes], cites: BriefReader, /
    ) -> tuple[
        str, str, int, int, int, int, str, int, tuple[str, str | None, str | None, int] | None
    ]: ...
    def touch(self, ids: Sequence[int], cites: BriefReader, /) -> None: ...

class BriefReader:
    def __init__(self, json: Buffer, ptr: Buffer, crc: Buffer, ids: Buffer, /) -> None: ...
    def read(self, number: int, /) -> tuple[str, bytes]: ...
    def cited(self, number: int, /) -> tuple[str, str, str | None, str | None, int]: ...
