"""What a config value must be: a check, how an error words it, and what the value becomes.
The building blocks of bot/config.py's KEYS."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config_sections import Shelf


@dataclass(frozen=True)
class Rule:
    """What a key's value must be: the check, how errors word it, and what it becomes."""

    check: Callable[[Any], bool]
    expected: str
    convert: Callable[[Any], Any] = lambda value: value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def integer(lo: int, hi: int, *, nullable: bool = False, null_means: str = "") -> Rule:
    """A whole number lo-hi; `nullable`: null too (errors say what it means, if `null_means`)."""
    expected = f"an integer {lo}-{hi}" + (f", or null {null_means}" if null_means else "")
    return Rule(lambda v: (nullable and v is None) or (_is_int(v) and lo <= v <= hi), expected)


def number(lo: float, hi: float) -> Rule:
    """A number lo-hi (NaN fails every comparison, so it is refused), read as a float."""
    return Rule(
        lambda v: (_is_int(v) or isinstance(v, float)) and lo <= v <= hi,
        f"a number {lo:g}-{hi:g}",
        float,
    )


def choice(options: tuple[str, ...]) -> Rule:
    """One of `options`, spelled exactly."""
    return Rule(lambda v: v in options, "one of " + ", ".join(options))


FLAG = Rule(lambda v: isinstance(v, bool), "true or false")
FOLDER = Rule(
    lambda v: isinstance(v, str) and bool(v.strip()) and "\0" not in v,
    "a folder path (non-empty text)",
    Path,
)
OPTIONAL_FOLDER = Rule(
    lambda v: v is None or FOLDER.check(v), "a folder path, or null", lambda v: v and Path(v)
)
# Discord ids are snowflakes: positive 64-bit integers.
IDS = Rule(
    lambda v: isinstance(v, list) and all(_is_int(i) and 0 < i < 2**64 for i in v),
    "a list of Discord ids (whole numbers), e.g. [123456789012345678]",
    tuple,
)
# A file name inside data_dir: no folder part, so it cannot point elsewhere.
FILE_NAME = Rule(
    lambda v: (
        isinstance(v, str)
        and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", v) is not None
        and ".." not in v
    ),
    "a file name (letters, digits, . _ -; no folder), e.g. feedback.sqlite3",
)
HOSTS = Rule(
    lambda v: (
        isinstance(v, list)
        and all(isinstance(h, str) and re.fullmatch(r"[A-Za-z0-9.:\[\]_-]{1,253}", h) for h in v)
    ),
    "a list of host names or addresses, e.g. [127.0.0.1]",
    tuple,
)
OPTIONAL_ID = Rule(
    lambda v: v is None or (_is_int(v) and 0 < v < 2**64), "a Discord channel id, or null"
)
_SHELF_KEYS = {"guild_ids", "seeds_dir", "data_dir", "mod_log_channel_id"}


def _shelf_ok(name: object, spec: object) -> bool:
    """One entry of `libraries:`: a name, its servers, its folders, its mod-log channel."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        return False
    if name == "default" or not isinstance(spec, dict) or not set(spec) <= _SHELF_KEYS:
        return False
    return (
        IDS.check(spec.get("guild_ids", []))
        and FOLDER.check(spec.get("seeds_dir"))
        and FOLDER.check(spec.get("data_dir"))
        and OPTIONAL_ID.check(spec.get("mod_log_channel_id"))
    )


def _shelves(value: dict[str, dict[str, Any]] | list[Any]) -> tuple[Shelf, ...]:
    if isinstance(value, list):
        return ()
    return tuple(
        Shelf(
            name=name,
            guild_ids=tuple(spec.get("guild_ids", [])),
            seeds_dir=Path(spec["seeds_dir"]),
            data_dir=Path(spec["data_dir"]),
            mod_log_channel_id=spec.get("mod_log_channel_id"),
        )
        for name, spec in value.items()
    )


SHELVES = Rule(
    # [] is the default as the example config writes it: no libraries besides the default.
    lambda v: v == [] or (isinstance(v, dict) and all(_shelf_ok(k, s) for k, s in v.items())),
    "a mapping of library names (letters, digits, - and _; not 'default') to guild_ids, "
    "seeds_dir, data_dir and an optional mod_log_channel_id",
    _shelves,
)
ENV_NAME = Rule(
    lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) is not None,
    "an environment variable name such as DISCORD_TOKEN",
)
