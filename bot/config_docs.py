"""The config keys written out for people: config.example.yaml and the README's key table,
both generated from KEYS (bot/config.py), so neither can drift from what is checked.

`briefbot config --example` prints the example and `briefbot config --table` the table;
tests check that the committed files hold exactly these.
"""

from __future__ import annotations

import json
import re
import textwrap
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml

from bot.config import KEYS, Config, Key

EXAMPLE_HEADER = """\
# briefbot configuration. Copy to config.yaml (git-ignored) and edit.
# Every key is optional; the values below are the defaults.
# Relative paths are resolved against the folder of this file.
# The Discord token is never read from this file: set DISCORD_TOKEN in the environment.
# Generated from bot/config.py by `briefbot config --example`; do not edit by hand.
"""
CURRENT_HEADER = "# The configuration in effect, read from {source}.\n"
DEFAULTS_HEADER = "# The configuration in effect: the built-in defaults (no config file).\n"
_PLAIN = re.compile(r"[A-Za-z0-9_./+-]+")
WIDTH = 88


def yaml_value(value: Any) -> str:  # noqa: ANN401
    """`value` as YAML that reads back to the same thing: null, true, 0.4, [1, 2], seeds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".")
    if isinstance(value, tuple | list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    text = value.as_posix() if isinstance(value, Path) else str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML strings


def _comment(key: Key, indent: str) -> list[str]:
    text = f"{key.help}." + (f" {key.more}" if key.more else "")
    return textwrap.wrap(text, WIDTH, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ")


def config_yaml(config: Config | None = None) -> str:
    """Every key with its help: the example config (`config` None: the defaults), or the
    values of `config`, in the same layout."""
    if config is None:
        header, values = EXAMPLE_HEADER, Config()
    elif config.source is None:
        header, values = DEFAULTS_HEADER, config
    else:
        header, values = CURRENT_HEADER.format(source=config.source), config
    lines = [header.rstrip("\n")]
    section = ""
    for key in KEYS:
        owner, _, name = key.path.rpartition(".")
        if owner != section:
            lines += ["", f"{owner}:"]
            section = owner
        indent = "  " if owner else ""
        if not owner:
            lines.append("")
        lines += _comment(key, indent)
        value = attrgetter(key.target)(values)
        lines.append(f"{indent}{name}: {yaml_value(value)}")
    return "\n".join(lines) + "\n"


def key_table() -> str:
    """The README's table of keys: key, default, allowed values, meaning."""
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for key in KEYS:
        default = f"`{yaml_value(key.default)}`"
        rows.append(f"| `{key.path}` | {default} | {key.rule.expected} | {key.help} |")
    return "\n".join(rows) + "\n"
