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


def _imports(path, package_modules):
    """The project modules `path` imports, at module level or inside functions."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in package_modules)
    return found


def test_the_import_graph_of_index_and_bot_has_no_cycle():
    """No module imports one that imports it back, however far round (issue 10): the cogs
    import the client's helpers from bot/interactions.py and are loaded by name."""
    from graphlib import CycleError, TopologicalSorter

    paths = {}
    for path in [*(REPO / "index").rglob("*.py"), *(REPO / "bot").rglob("*.py")]:
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        paths[name] = path
    graph = {name: _imports(path, paths) - {name} for name, path in paths.items()}
    assert "bot.interactions" in graph["bot.cogs.ask"]
    assert not graph["bot.client"] & {"bot.cogs.ask", "bot.cogs.admin"}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
