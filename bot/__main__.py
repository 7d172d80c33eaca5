"""`python -m bot` is the `briefbot` command; `main` is also its console script's entry."""

import gc
import sys


def main() -> int:
    """The command, its modules imported with the garbage collector off: they are most of
    a `briefbot ask`'s objects and never garbage, yet each collection during the imports
    walked them all (4% of an `ask` by words alone on the seed). Frozen once imported, no
    later collection walks them again; collection is on for the command itself."""
    gc.disable()
    try:
        from bot.cli import main as run_command
    finally:
        gc.freeze()
        gc.enable()
    return run_command()


if __name__ == "__main__":
    sys.exit(main())
