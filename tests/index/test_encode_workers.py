"""Worker processes of a large build end with it: kill -9, kill -TERM and Ctrl-C alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# A build forced into the worker path, each chunk slowed down: about 30 s of work on
# two workers, so a build that stops within the waits below was stopped, not finished.
SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from index import encode

    real = encode._encode_chunk
    seen = Path(sys.argv[1])

    def slow(texts, aliases):
        with seen.open("a") as f:
            f.write(f"{os.getpid()}\\n")
        time.sleep(0.3)
        return real(texts, aliases)

    if __name__ == "__main__":
        encode._encode_chunk = slow
        encode.PARALLEL_FROM = 0
        encode._CHUNK = 10
        texts = [f"passage {i} about sanctions and border trade" for i in range(2000)]
        try:
            encode.encode_texts(texts, [], workers=2)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished", flush=True)
    """
)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def build(tmp_path):
    """Start the slow build in its own process group; kill what is left at the end."""
    script, seen = tmp_path / "build.py", tmp_path / "workers.txt"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(seen)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # Wait until both workers are busy with chunks.
        assert wait_for(lambda: seen.exists() and len(set(seen.read_text().split())) >= 2, 30)
        yield proc
    finally:
        for pid in group_members(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_build(build, sig):
    os.kill(build.pid, sig)
    build.wait(timeout=10)
    # The workers, the forkserver and the resource tracker all go, long before the work is done.
    assert wait_for(lambda: not group_members(build.pid), 10), group_members(build.pid)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("group", [False, True], ids=["kill-INT", "ctrl-C"])
def test_ctrl_c_stops_a_build_promptly(build, group):
    # `kill -INT` reaches the build process alone; Ctrl-C in a terminal, its whole group.
    if group:
        os.killpg(build.pid, signal.SIGINT)
    else:
        os.kill(build.pid, signal.SIGINT)
    assert build.wait(timeout=10) == 130
    assert build.stdout is not None
    assert build.stdout.read().strip() == "interrupted"
    assert wait_for(lambda: not group_members(build.pid), 10), group_members(build.pid)


def test_a_build_from_a_script_read_on_stdin_finishes_in_one_process():
    # forkserver's workers import __main__ from its file, and `python -` has none: they
    # died at start and the build waited for them forever. It now builds in one process.
    script = textwrap.dedent(
        """
        from index import encode
        encode.PARALLEL_FROM = 0
        encode._CHUNK = 10
        texts = [f"passage {i} about sanctions and border trade" for i in range(200)]
        forward = encode.encode_texts(texts, [], workers=2)
        print("finished", len(forward["doc_ptr"]) - 1, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-"],
        input=script,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["finished", "200"]
