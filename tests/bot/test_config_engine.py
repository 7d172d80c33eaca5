"""index.engine in the config: the three choices, and a clear error for others."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config


@pytest.mark.parametrize("engine", ["auto", "rank-bm25", "numpy"])
def test_engine_choices(tmp_path, engine):
    config = parse_config({"index": {"engine": engine}}, tmp_path / "config.yaml")
    assert config.index.engine == engine


def test_default_is_auto(tmp_path):
    assert parse_config({}, tmp_path / "config.yaml").index.engine == "auto"


def test_unknown_engine(tmp_path):
    with pytest.raises(ConfigError, match=r"index\.engine must be one of auto, rank-bm25, numpy"):
        parse_config({"index": {"engine": "tantivy"}}, tmp_path / "config.yaml")
