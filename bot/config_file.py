"""Finding the config file and reading it: --config, $BRIEFBOT_CONFIG or ./config.yaml,
read safely (size, encoding, YAML) and checked by bot/config.py's parse_config. Only the
entry point calls `load_config`."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import Config, ConfigError, parse_config
from index.safe_files import FileRefused, os_words
from index.safe_yaml import YamlRefused, load_yaml

CONFIG_ENV = "BRIEFBOT_CONFIG"
DEFAULT_CONFIG_NAME = "config.yaml"
# A config is a few kilobytes; anything far larger (or /dev/zero) is refused unread.
MAX_CONFIG_BYTES = 256 * 1024


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
        path.stat()
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {path} does not exist; copy config.example.yaml to start one"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path} ({os_words(exc).lower()})") from exc
    try:
        data = load_yaml(path, max_bytes=MAX_CONFIG_BYTES)
    except YamlRefused as exc:
        unread = _unreadable(exc)
        if unread:
            raise ConfigError(f"cannot read config file {path} ({unread})") from exc
        where = f" at line {exc.line}" if exc.line is not None else ""
        raise ConfigError(
            f"{path} is not valid YAML{where} ({exc.reason}); fix it or start from "
            "config.example.yaml"
        ) from exc
    return parse_config(data, path.resolve())


def _unreadable(refused: YamlRefused) -> str | None:
    """Why the file could not be read at all (the system's error, not a regular file, too
    large, not UTF-8), or None when it was read and is not valid YAML."""
    cause = refused.__cause__
    if isinstance(cause, FileRefused):
        error = cause.__cause__
        return os_words(error).lower() if isinstance(error, OSError) else cause.reason
    if isinstance(cause, UnicodeDecodeError):
        return f"{refused.reason} at line {refused.line}; save it as UTF-8"
    return None
