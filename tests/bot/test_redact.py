"""Discord tokens never reach the log: masked in text, log messages, arguments and tracebacks."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.redact import MASK, TokenFilter, install_token_filter, mask_tokens


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Fake tokens in the real shapes (none is valid anywhere).
BOT_TOKEN = f"{_b64(b'1234567890123456789')}.GhXk2a.{'Ab3_-' * 7}xyz"
OLD_BOT_TOKEN = f"{_b64(b'987654321098765432')}.YBc1Lw.{'q7Z-' * 7}"
INTERACTION_TOKEN = _b64(b"interaction:1234567890123456789:" + b"s3cr3t" * 20)
WEBHOOK_TOKEN = "Zx9_" * 17


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Token: {BOT_TOKEN}", BOT_TOKEN),
        (f"Authorization: Bot {OLD_BOT_TOKEN}\n", OLD_BOT_TOKEN),
        (f"token={BOT_TOKEN}&x=1", BOT_TOKEN),
        (
            f"POST https://discord.com/api/v10/webhooks/1234567890/{INTERACTION_TOKEN}?wait=1",
            INTERACTION_TOKEN,
        ),
        (
            f"POST /api/v10/interactions/1234567890/{INTERACTION_TOKEN}/callback",
            INTERACTION_TOKEN,
        ),
        (f"PATCH /webhooks/1234567890/{WEBHOOK_TOKEN}/messages/@original", WEBHOOK_TOKEN),
        (f"{{'token': '{INTERACTION_TOKEN}'}}", INTERACTION_TOKEN),
    ],
)
def test_tokens_are_masked(text, secret):
    masked = mask_tokens(text)
    assert secret not in masked
    assert secret[:12] not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "Indexed 42 passages from 3 briefs.",
        "version 2.4.1 of discord.py, python 3.11.7",
        "https://example.org/a.b.c/d",
        "GET /api/v10/gateway/bot",
        "interaction 1234567890123456789 from user 42",
        "M.a.b and Mr. Kim met Ms. Lee.",
    ],
)
def test_ordinary_text_is_unchanged(text):
    assert mask_tokens(text) == text


@contextmanager
def _root_handler(logger: logging.Logger) -> Iterator[tuple[logging.Handler, io.StringIO]]:
    """A handler on the root logger writing to a string, and `logger` at DEBUG, for the
    duration; the filter is installed as the CLI installs it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        install_token_filter()
        yield handler, stream
    finally:
        root.removeHandler(handler)
        logger.setLevel(old_level)


def test_the_filter_masks_messages_arguments_and_tracebacks():
    logger = logging.getLogger("tests.redact.child")
    with _root_handler(logger) as (handler, stream):
        install_token_filter()  # once only
        assert sum(isinstance(f, TokenFilter) for f in handler.filters) == 1
        logger.debug("POST %s with %r", f"/webhooks/1/{INTERACTION_TOKEN}", {"t": BOT_TOKEN})
        logger.info(f"token in the message itself {BOT_TOKEN}")
        logger.info("bad args %s %s", BOT_TOKEN)  # a formatting error must not leak it
        try:
            raise RuntimeError(f"login failed for {BOT_TOKEN}")
        except RuntimeError:
            logger.exception("boom")
    out = stream.getvalue()
    assert BOT_TOKEN not in out and INTERACTION_TOKEN not in out
    assert out.count(MASK) >= 4
    assert "RuntimeError: login failed for [token]" in out


def test_the_filter_removes_what_a_terminal_acts_on():
    """File names, titles and reasons in log records come from briefs and from Discord."""
    logger = logging.getLogger("tests.redact.terminal")
    with _root_handler(logger) as (_, stream):
        evil = "\x1b]0;pwned\x07\x1b[2J\u202e\x9b31m"
        logger.warning("Refreshed (added: %s.txt)", evil)
        try:
            raise ValueError(f"bad title {evil}")
        except ValueError:
            logger.exception("could not add")
    out = stream.getvalue()
    assert "Refreshed (added: .txt)" in out and "ValueError: bad title" in out
    assert not any(c in out for c in ("\x1b", "\x07", "\u202e", "\x9b")), repr(out)
