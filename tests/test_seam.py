"""The seam between the core and the front ends: index/ never loads discord."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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
