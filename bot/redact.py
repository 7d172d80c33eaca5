"""Mask Discord credentials in text and in log records before they are written anywhere.

discord.py logs request URLs at DEBUG, and interaction replies go to
/interactions/<id>/<token>/callback and /webhooks/<app id>/<token>: with DEBUG on,
every interaction token would land in the log. A bot token can reach a log through
an exception message or a misplaced print. Both are masked here.

A log line is terminal output too (the CLI's stderr, `briefbot run` in a console, a log
file read with `cat`), and records carry file names, titles and reasons that came from
briefs and from Discord: the filter also cleans them as bot/terminal.py cleans output.
"""

from __future__ import annotations

import logging
import re

from bot.terminal import clean

MASK = "[token]"

_B64 = r"[A-Za-z0-9_\-]"
_PATTERNS = (
    # Bot token: base64 of the numeric bot id (ASCII digits encode to M, N or O first),
    # a dot, a base64 timestamp, a dot, a base64 HMAC.
    re.compile(rf"(?<![A-Za-z0-9_\-])[MNO]{_B64}{{22,34}}\.{_B64}{{4,10}}\.{_B64}{{20,}}"),
    # Interaction token: base64 of "interaction:" then more base64.
    re.compile(r"aW50ZXJhY3Rpb246[A-Za-z0-9_\-+/=]+"),
    # The token part of webhook and interaction-callback URLs, whatever its shape.
    re.compile(r"(?<=/webhooks/)(\d+/)[^/\s?#'\"<>]+"),
    re.compile(r"(?<=/interactions/)(\d+/)[^/\s?#'\"<>]+"),
)


def mask_tokens(text: str) -> str:
    """`text` with every Discord bot token, interaction token and webhook token replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + MASK, text)
    return text


class TokenFilter(logging.Filter):
    """Masks tokens in a record's message, arguments, traceback and stack before output,
    and removes what a terminal would act on (escape sequences, bidi controls).

    Install it on handlers (`install_token_filter`), not loggers: a logger's filters
    do not see the records its children (discord.http, discord.webhook...) propagate.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place with its message formatted and masked; keep it."""
        try:
            message = record.getMessage()
        except Exception:  # bad %-arguments: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = clean(mask_tokens(message)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = clean(mask_tokens(record.exc_text))
        if record.stack_info:
            record.stack_info = clean(mask_tokens(record.stack_info))
        return True


def install_token_filter(*loggers: logging.Logger) -> None:
    """Add one TokenFilter to every handler of the root logger (and of `loggers`), once."""
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if not any(isinstance(f, TokenFilter) for f in handler.filters):
                handler.addFilter(TokenFilter())
