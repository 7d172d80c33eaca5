"""Configuration: one YAML file read into frozen dataclasses, every key checked.

Only the entry point calls `load_config`; nothing is read at import time.
Paths in the file are resolved against the file's own folder, so the bot
behaves the same whatever the working directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from index import IndexSettings, SearchSettings
from index.settings import ENGINES, VARIANTS

CONFIG_ENV = "BRIEFBOT_CONFIG"
DEFAULT_CONFIG_NAME = "config.yaml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The configuration file is missing, unreadable or wrong; the message says where."""


@dataclass(frozen=True)
class DiscordConfig:
    """The `discord:` section: where to sync, who moderates, how fast users may ask."""

    guild_ids: tuple[int, ...] = ()
    moderator_role_ids: tuple[int, ...] = ()
    cooldown_uses: int = 3
    cooldown_seconds: float = 30.0
    default_results: int = 3
    shard_count: int | None = None
    token_env: str = "DISCORD_TOKEN"
    sync_on_start: bool = True


@dataclass(frozen=True)
class Config:
    """Everything the CLI and the bot need to know, with working defaults."""

    seeds_dir: Path = Path("seeds")
    data_dir: Path = Path("data")
    index: IndexSettings = field(default_factory=IndexSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    log_level: str = "INFO"
    source: Path | None = None
    discord: DiscordConfig = field(default_factory=DiscordConfig)

    @property
    def index_path(self) -> Path:
        """Where the index file lives."""
        return self.data_dir / "index.json"


Check = Callable[[Any], bool]


def _int(lo: int, hi: int) -> tuple[Check, str]:
    ok: Check = lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi  # noqa: E731
    return ok, f"an integer {lo}-{hi}"


def _float(lo: float, hi: float) -> tuple[Check, str]:
    ok: Check = lambda v: (  # noqa: E731
        isinstance(v, int | float) and not isinstance(v, bool) and lo <= v <= hi
    )
    return ok, f"a number {lo:g}-{hi:g}"


def _choice(options: tuple[str, ...]) -> tuple[Check, str]:
    return (lambda v: v in options), "one of " + ", ".join(options)


_TEXT: tuple[Check, str] = (lambda v: isinstance(v, str) and bool(v.strip())), "a non-empty text"
_BOOL: tuple[Check, str] = (lambda v: isinstance(v, bool)), "true or false"
# Discord ids are snowflakes: positive 64-bit integers.
_IDS: tuple[Check, str] = (
    (
        lambda v: (
            isinstance(v, list)
            and all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**64 for i in v)
        )
    ),
    "a list of Discord ids (whole numbers), e.g. [123456789012345678]",
)
_ENV_NAME: tuple[Check, str] = (
    (lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) is not None),
    "an environment variable name such as DISCORD_TOKEN",
)
_SHARDS: tuple[Check, str] = (
    (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000)),
    "an integer 1-1000, or null for one connection",
)
_PATH: tuple[Check, str] = (
    (lambda v: _TEXT[0](v) and "\0" not in v),
    "a folder path (non-empty text)",
)

# key path -> (check, what it must be). Sections are the first part of the path.
SCHEMA: dict[str, tuple[Check, str]] = {
    "seeds_dir": _PATH,
    "data_dir": _PATH,
    "search.top_k": _int(1, 10),
    "search.min_coverage": _float(0.0, 1.0),
    "search.min_similarity": _float(0.0, 1.0),
    "index.variant": _choice(VARIANTS),
    "index.k1": _float(0.0, 10.0),
    "index.b": _float(0.0, 1.0),
    "index.delta": _float(0.0, 5.0),
    "index.max_passage_chars": _int(200, 100_000),
    "index.engine": _choice(ENGINES),
    "logging.level": _choice(LOG_LEVELS),
    "discord.guild_ids": _IDS,
    "discord.moderator_role_ids": _IDS,
    "discord.cooldown_uses": _int(1, 100),
    "discord.cooldown_seconds": _float(0.0, 3600.0),
    "discord.default_results": _int(1, 5),
    "discord.shard_count": _SHARDS,
    "discord.token_env": _ENV_NAME,
    "discord.sync_on_start": _BOOL,
}


def _flatten(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """`{"search": {"top_k": 3}}` -> `{"search.top_k": 3}`, rejecting unknown keys."""
    sections = {key.split(".")[0] for key in SCHEMA if "." in key}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        if key in sections:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{key} must be a section of keys (got {value!r}) in {where}")
            for sub, subvalue in value.items():
                flat[f"{key}.{sub}"] = subvalue
        else:
            flat[key] = value
    for key in flat:
        if key not in SCHEMA:
            allowed = ", ".join(sorted(SCHEMA))
            raise ConfigError(f"unknown key {key} in {where} (known keys: {allowed})")
    return flat


def parse_config(data: object, where: Path) -> Config:
    """Check a parsed YAML document and turn it into a Config."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must hold a mapping of keys, like config.example.yaml")
    flat = _flatten(data, str(where))
    for key, value in flat.items():
        check, expected = SCHEMA[key]
        if not check(value):
            raise ConfigError(f"{key} must be {expected} (got {value!r}) in {where}")
    base = where.parent
    index_keys = {k.split(".")[1]: v for k, v in flat.items() if k.startswith("index.")}
    search_keys = {k.split(".")[1]: v for k, v in flat.items() if k.startswith("search.")}
    for name in ("min_coverage", "min_similarity"):
        if name in search_keys:
            search_keys[name] = float(search_keys[name])
    return Config(
        seeds_dir=base / flat.get("seeds_dir", "seeds"),
        data_dir=base / flat.get("data_dir", "data"),
        index=replace(IndexSettings(), **index_keys),
        search=replace(SearchSettings(), **search_keys),
        log_level=flat.get("logging.level", "INFO"),
        source=where,
        discord=_discord(flat),
    )


def _discord(flat: Mapping[str, Any]) -> DiscordConfig:
    """The `discord:` section, with defaults for the keys not given."""
    keys = {k.split(".")[1]: v for k, v in flat.items() if k.startswith("discord.")}
    for name in ("guild_ids", "moderator_role_ids"):
        if name in keys:
            keys[name] = tuple(keys[name])
    if "cooldown_seconds" in keys:
        keys["cooldown_seconds"] = float(keys["cooldown_seconds"])
    return replace(DiscordConfig(), **keys)


def find_config(explicit: str | None) -> Path | None:
    """The config file to use: --config, then $BRIEFBOT_CONFIG, then ./config.yaml if present."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def load_config(path: Path | None) -> Config:
    """Read and check the config at `path`; None gives the defaults, relative to the cwd."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {path} does not exist; copy config.example.yaml to start one"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path} ({exc.__class__.__name__})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path} is not valid YAML{line}; fix it or start from config.example.yaml"
        ) from exc
    return parse_config(data, path.resolve())
