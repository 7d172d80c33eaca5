"""The `discord:` section of the config: defaults, values, and errors naming key and file."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, DiscordConfig
from bot.config_file import load_config
from tests.conftest import REPO


def _load(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_defaults_without_a_discord_section(tmp_path):
    assert _load(tmp_path, "search:\n  top_k: 3\n").discord == DiscordConfig()
    assert DiscordConfig().token_env == "DISCORD_TOKEN"


def test_every_key(tmp_path):
    config = _load(
        tmp_path,
        "discord:\n"
        "  guild_ids: [123456789012345678, 2]\n"
        "  moderator_role_ids: [42]\n"
        "  cooldown_uses: 5\n"
        "  cooldown_seconds: 12\n"
        "  default_results: 2\n"
        "  shard_count: 4\n"
        "  token_env: STUDY_TOKEN\n"
        "  sync_on_start: false\n",
    )
    assert config.discord == DiscordConfig(
        guild_ids=(123456789012345678, 2),
        moderator_role_ids=(42,),
        cooldown_uses=5,
        cooldown_seconds=12.0,
        default_results=2,
        shard_count=4,
        token_env="STUDY_TOKEN",
        sync_on_start=False,
    )


def test_the_example_config_loads_with_the_defaults():
    assert load_config(REPO / "config.example.yaml").discord == DiscordConfig()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("guild_ids: 123", "discord.guild_ids must be a list of Discord ids"),
        ("guild_ids: ['abc']", "discord.guild_ids must be a list of Discord ids"),
        ("moderator_role_ids: [true]", "discord.moderator_role_ids must be a list"),
        ("default_results: 9", "discord.default_results must be an integer 1-5 (got 9)"),
        ("cooldown_seconds: -1", "discord.cooldown_seconds must be a number 0-3600 (got -1)"),
        ("shard_count: 0", "discord.shard_count must be an integer 1-1000, or null"),
        ("token_env: 'my token'", "discord.token_env must be an environment variable name"),
        ("sync_on_start: maybe", "discord.sync_on_start must be true or false"),
        ("token: abc", "unknown key discord.token in"),
    ],
)
def test_wrong_values_name_the_key_and_the_file(tmp_path, line, message):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"discord:\n  {line}\n")
    assert message in str(caught.value)
    assert str(tmp_path / "config.yaml") in str(caught.value)
