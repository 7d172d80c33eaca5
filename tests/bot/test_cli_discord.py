"""`briefbot run` and `briefbot sync`: the token, their errors, and a clean stop on signals."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from bot.cli import main
from tests.bot.conftest import TOKEN, write_config
from tests.conftest import REPO
from tests.discord_payloads import APP_ID, GUILD_ID

# Sets discord.py's addresses to the fake (argv[1]), then runs the real CLI (argv[2:]).
POINTED_AT_FAKE = """
import sys, yarl, discord.http
from discord.gateway import DiscordWebSocket
port = sys.argv[1]
discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
from bot.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(autouse=True)
def _restore_logging():
    """`run` installs discord.py's log handler on the root logger; take it off after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def config_path(tmp_path, seeds_dir):
    return write_config(tmp_path, seeds_dir)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_run_without_a_token_says_what_to_set(config_path, monkeypatch, capsys, value):
    if value is None:
        monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    else:
        monkeypatch.setenv("DISCORD_TOKEN", value)
    assert main(["run", "--config", str(config_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("briefbot: set DISCORD_TOKEN to your bot's token")
    assert "Traceback" not in err


def test_token_variable_name_comes_from_the_config(tmp_path, seeds_dir, monkeypatch, capsys):
    path = write_config(tmp_path, seeds_dir, token_env="STUDY_BOT_TOKEN")
    monkeypatch.setenv("DISCORD_TOKEN", "not-this-one")
    monkeypatch.delenv("STUDY_BOT_TOKEN", raising=False)
    assert main(["sync", "--config", str(path)]) == 1
    assert capsys.readouterr().err.startswith("briefbot: set STUDY_BOT_TOKEN ")


def test_rejected_token_is_one_line_and_never_printed(
    fake, tmp_path, seeds_dir, monkeypatch, capsys, caplog
):
    fake.reject_token = True
    secret = "MTIz.rejected-secret-token.abc"
    path = write_config(tmp_path, seeds_dir)
    text = path.read_text(encoding="utf-8").replace("level: INFO", "level: DEBUG")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    with caplog.at_level(logging.DEBUG):
        assert main(["run", "--config", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == (
        "briefbot: Discord rejected the token in DISCORD_TOKEN; reset it in the Discord "
        "Developer Portal and set DISCORD_TOKEN again"
    )
    assert "Traceback" not in err
    assert secret not in out + err + caplog.text
    # It was sent to (fake) Discord, and only there.
    assert [r.authorization for r in fake.requests] == [f"Bot {secret}"]


def test_sync_registers_and_prints_the_commands(fake, config_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert main(["sync", "--config", str(config_path)]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"Registered 10 command(s) in server {GUILD_ID}: Ask the brief, "
        "Check against the brief, ask, brief, cite, gaps, passage, quiz, reindex, sources\n"
    )
    put = [r.path for r in fake.requests if r.method == "PUT"]
    assert put == [f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"]
    # Sync is REST only: it never opens the gateway.
    assert fake.sent_by_bot == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_cleanly_on_a_signal(fake, loop_thread, config_path, sig):
    env = {**os.environ, "DISCORD_TOKEN": TOKEN, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", POINTED_AT_FAKE, str(fake.port), "run", "--config", config_path],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        loop_thread.run(fake.wait_until(fake.identified.is_set, 20), 25)
        started = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 5
    assert "Shutting down" in err
    assert "Traceback" not in err
    assert TOKEN not in out + err
    # The bot closed its gateway connection before exiting.
    loop_thread.run(fake.wait_until(lambda: not fake.sockets, 5))
