"""The seam between the core and the front ends: index/ and the offline CLI never load discord
(slow to import, and not needed to answer from a terminal)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO, SEEDS


def test_importing_index_loads_no_discord():
    code = "import sys, index, index.evaluation; assert 'discord' not in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_module_in_index_mentions_discord_imports():
    offenders = [
        path.name
        for path in (REPO / "index").rglob("*.py")
        if "import discord" in path.read_text(encoding="utf-8")
        or "from discord" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


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
