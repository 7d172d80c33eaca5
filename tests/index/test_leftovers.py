"""Temp files of writers killed mid-write are removed by the next write, at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from index.files import write_atomically, writer_pid

# A writer that fills its temp file, then hangs until killed.
CHILD = """
import sys, time
from pathlib import Path
from index.files import write_atomically
def write(out):
    out.write(b"x" * 100_000)
    out.flush()
    print("writing", flush=True)
    time.sleep(60)
write_atomically(Path(sys.argv[1]), write)
"""


def _temps(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def test_leftover_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "index.json"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        [leftover] = _temps(target)
        assert writer_pid(leftover, target) == child.pid
        # While the writer lives, its temp file is left alone.
        write_atomically(target, lambda out: out.write(b"first"))
        assert _temps(target) == [leftover]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert leftover.exists()  # a young file: the old age rule alone would keep it an hour
    write_atomically(target, lambda out: out.write(b"second"))
    assert _temps(target) == []
    assert target.read_bytes() == b"second"


def test_temp_files_of_this_process_and_old_names_are_kept_while_young(tmp_path):
    target = tmp_path / "index.json"
    ours = tmp_path / f".index.json.{os.getpid()}.abc.tmp"  # another thread may be writing
    unnamed = tmp_path / ".index.json.busy.tmp"  # older naming: no pid to check
    old = tmp_path / f".index.json.{os.getpid()}.old.tmp"
    for path in (ours, unnamed, old):
        path.write_bytes(b"partial")
    os.utime(old, (1, 1))
    write_atomically(target, lambda out: out.write(b"data"))
    assert ours.exists() and unnamed.exists() and not old.exists()
    assert time.time() - ours.stat().st_mtime < 3600
