"""Run the index package's compiled modules from their Python source, in this process.

setup.py compiles the modules a search runs through with mypyc. A compiled module's
functions and classes cannot be wrapped or replaced from outside (its calls to each other
are C calls), so a tool that times a search by wrapping its steps (bench/stages.py)
imports them as Python: every `index` module that has a .py file is loaded from it, even
where a compiled one sits beside it; the C kernels, which have no .py, stay compiled.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parents[1] / "index"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds `index.<name>` at index/<name>.py before any other finder looks."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        source = PACKAGE / f"{name}.py"
        if package != "index" or not source.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def use_source() -> None:
    """From now on, import the index package's modules from source (before any is imported:
    one already loaded stays as it is, so this refuses to run after)."""
    loaded = [m for m in sys.modules if m == "index" or m.startswith("index.")]
    if loaded:
        raise RuntimeError(f"index modules are loaded already: {', '.join(sorted(loaded))}")
    sys.meta_path.insert(0, _SourceFirst())


def compiled(module: ModuleType) -> bool:
    """Whether `module` was loaded from a compiled file, not from its source."""
    return not str(getattr(module, "__file__", "")).endswith(".py")
