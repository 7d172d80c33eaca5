"""The audit log: every change to a library (add, replace, remove, reindex), one JSON line each.

Appended with one write per entry to a file opened in append mode, so entries of
concurrent writers do not interleave; read back by `briefbot audit`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: `briefbot audit` never loads discord.py
    import discord

    from bot.libraries import Slot

log = logging.getLogger(__name__)

ACTIONS = ("add", "replace", "remove", "reindex")


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which brief, when, and how it ended ("ok", or why not)."""

    time: str
    guild: int | None
    moderator_id: int | None
    moderator: str
    action: str
    brief: str
    result: str


def entry(
    action: str,
    brief: str,
    result: str,
    *,
    guild: int | None = None,
    moderator_id: int | None = None,
    moderator: str = "",
) -> AuditEntry:
    """An entry stamped now (UTC, seconds)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return AuditEntry(now, guild, moderator_id, moderator, action, brief, result)


def append(path: Path, item: AuditEntry) -> None:
    """Add `item` to the log at `path` (created with its folder when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(item), ensure_ascii=False) + "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(line)


def read(path: Path) -> list[AuditEntry]:
    """The entries of the log at `path`, oldest first; a damaged line is skipped (logged)."""
    if not path.is_file():
        return []
    names = {f.name for f in fields(AuditEntry)}
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or set(data) != names:
                raise ValueError("wrong keys")
            out.append(AuditEntry(**data))
        except ValueError:
            log.warning("Skipping line %d of %s: not an audit entry", number, path)
    return out


def line_of(item: AuditEntry) -> str:
    """One entry as one line of text (the CLI and the mod-log channel)."""
    who = item.moderator or "command line"
    where = f" in server {item.guild}" if item.guild else ""
    return f"{item.time} {who}{where}: {item.action} {item.brief!r}: {item.result}"


def record(
    interaction: discord.Interaction[Any], slot: Slot, action: str, brief: str, result: str
) -> None:
    """Append what a moderator did in Discord to the library's audit log (errors logged)."""
    item = entry(
        action,
        brief,
        result,
        guild=interaction.guild_id,
        moderator_id=interaction.user.id,
        moderator=str(interaction.user),
    )
    try:
        append(slot.config.audit_path, item)
    except OSError:
        log.exception("Could not write the audit log %s", slot.config.audit_path)
