"""Offline commands and the retrieval core never import discord.py (slow to import)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO, SEEDS

CHECK = """
import sys
from bot.cli import main
code = main(["ask", "Why does China matter to North Korea?", "--json"])
assert code == 0, code
loaded = sorted(m for m in sys.modules if m == "discord" or m.startswith("discord."))
assert not loaded, loaded
print("no discord")
"""


def test_ask_does_not_import_discord(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    for _ in range(2):  # first run builds the index, the second loads it
        done = subprocess.run(
            [sys.executable, "-c", CHECK],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().endswith("no discord")
