"""Promise 6, CLI half: the Discord token never leaks.

The CLI is run as a real process with a known fake DISCORD_TOKEN and DEBUG logging,
through its answers and its error paths, including a token pasted into the config file
by mistake; the token must appear in no output, no log line and no file it writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GfAkEe.fake-token-for-leak-tests_0123456789abcdef"
DEBUG = "seeds_dir: seeds\ndata_dir: data\nlogging:\n  level: DEBUG\n"


def prepare(root: Path, scenario: str) -> tuple[Path, list[str]]:
    """Set up `root` for one scenario; return the config file and the CLI arguments."""
    shutil.copytree(SEEDS, root / "seeds")
    config = root / "config.yaml"
    config.write_text(DEBUG, encoding="utf-8")
    argv = ["ask", "--json", "Why does China matter to North Korea?"]
    if scenario == "bad question":
        argv = ["ask", "--json", "?!"]
    elif scenario == "damaged index":
        (root / "data").mkdir()
        (root / "data" / "index.json").write_text("{not json", encoding="utf-8")
    elif scenario == "broken seeds":
        (root / "seeds" / "empty.txt").write_bytes(b"")
        (root / "seeds" / "bad.yaml").write_text("title: [\n", encoding="utf-8")
        argv = ["index"]
    elif scenario == "no usable brief":
        for path in (root / "seeds").iterdir():
            path.write_bytes(b"\x00")
        argv = ["index"]
    elif scenario == "seeds missing":
        shutil.rmtree(root / "seeds")
    elif scenario == "token in config":
        config.write_text(DEBUG + f"token: {FAKE_TOKEN}\n", encoding="utf-8")
    elif scenario == "token in a discord section":
        config.write_text(DEBUG + f"discord:\n  token: {FAKE_TOKEN}\n", encoding="utf-8")
    elif scenario == "token as token_env":  # issue 12 item 6: echoed in the error before
        config.write_text(DEBUG + f"discord:\n  token_env: {FAKE_TOKEN}\n", encoding="utf-8")
    elif scenario == "token as a key":
        config.write_text(DEBUG + f"discord:\n  {FAKE_TOKEN}: 1\n", encoding="utf-8")
    elif scenario == "bad config value":
        config.write_text(DEBUG + "search:\n  top_k: many\n", encoding="utf-8")
    return config, ["--config", str(config), *argv]


SCENARIOS = [
    "answer",
    "bad question",
    "damaged index",
    "broken seeds",
    "no usable brief",
    "seeds missing",
    "token in config",
    "token in a discord section",
    "bad config value",
    "token as token_env",
    "token as a key",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_token_appears_in_no_output_log_or_file(tmp_path, scenario):
    config, argv = prepare(tmp_path, scenario)
    env = {**os.environ, "DISCORD_TOKEN": FAKE_TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        capture_output=True,
        timeout=30,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert b"Traceback" not in result.stderr
    for stream in (result.stdout, result.stderr):
        assert FAKE_TOKEN.encode() not in stream
        assert b"fake-token-for-leak-tests" not in stream
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != config]
    for path in written:
        assert FAKE_TOKEN.encode() not in path.read_bytes(), path
