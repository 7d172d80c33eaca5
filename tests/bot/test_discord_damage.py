"""A mapped index damaged on disk while the bot serves it: the asker is told, the library
is rebuilt from its briefs in the background, and the next question is answered."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.client import create_bot
from bot.config_file import load_config
from bot.runner import open_holder
from tests.bot.conftest import BotEnv, write_config
from tests.discord_payloads import MOD_ROLE_ID, make_member
from tests.index.test_integrity import edit_text

BORDER = "How long is the border between North Korea and China?"


@pytest.fixture
def mapped_env(fake, loop_thread, tmp_path: Path, seeds_dir: Path, monkeypatch):
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)  # map it: checks at read
    path = write_config(tmp_path, seeds_dir)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["index"] = {"engine": "numpy"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["--config", str(path), "index"]) == 0  # the bot maps it from disk
    config = load_config(path)

    async def build():
        return create_bot(config, open_holder(config))

    env = BotEnv(fake, loop_thread, loop_thread.run(build()), config)
    env.start()
    yield env
    env.close()


def test_a_damaged_index_is_rebuilt_while_serving(mapped_env: BotEnv) -> None:
    index = mapped_env.config.index_path
    index.write_bytes(edit_text(index.read_bytes(), b"1,350", b"9,350"))

    told = mapped_env.ask(BORDER)
    assert told.ephemeral
    assert "damaged" in told.text() and "rebuilt" in told.text()
    assert "9,350" not in told.text()

    deadline = time.monotonic() + 60
    while True:  # the rebuild runs in the background
        answer = mapped_env.ask(BORDER)
        if "1,350" in answer.text() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "1,350" in answer.text() and "9,350" not in answer.text()
    with pytest.raises(AssertionError):  # rebuilt on disk too: no block holds 9,350
        edit_text(index.read_bytes(), b"9,350", b"1,350")


def test_reindex_over_a_damaged_index_reads_every_brief_again(mapped_env: BotEnv) -> None:
    index = mapped_env.config.index_path
    index.write_bytes(edit_text(index.read_bytes(), b"1,350", b"9,350"))
    moderator = make_member(roles=(MOD_ROLE_ID,))
    done = mapped_env.send(mapped_env.fake.slash("reindex", member=moderator), timeout=60)
    assert done.text().startswith("Rebuilt the index in "), done.text()
    assert "previous index was damaged" in done.text()
    answer = mapped_env.ask(BORDER)
    assert "1,350" in answer.text() and "9,350" not in answer.text()
