"""Discord's message limits, written out independently of bot/render.py, to check payloads."""

from __future__ import annotations

from typing import Any

CONTENT = 2000
EMBEDS = 10
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
TOTAL = 6000
BUTTON_LABEL = 80
CUSTOM_ID = 100


def problems(message: dict[str, Any]) -> list[str]:
    """Every way `message` (a Discord message payload) breaks a limit; empty when it fits."""
    out = []
    if len(message.get("content") or "") > CONTENT:
        out.append(f"content has {len(message['content'])} characters")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS:
        out.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        sizes = {
            "title": (len(embed.get("title", "")), TITLE),
            "description": (len(embed.get("description", "")), DESCRIPTION),
            "footer": (len((embed.get("footer") or {}).get("text", "")), FOOTER),
        }
        fields = embed.get("fields", [])
        if len(fields) > FIELDS:
            out.append(f"{len(fields)} fields")
        for i, f in enumerate(fields):
            sizes[f"field {i} name"] = (len(f["name"]), FIELD_NAME)
            sizes[f"field {i} value"] = (len(f["value"]), FIELD_VALUE)
            if not f["name"].strip() or not f["value"].strip():
                out.append(f"field {i} is empty")
        out += [f"{k} has {n} > {limit}" for k, (n, limit) in sizes.items() if n > limit]
        total += sum(n for n, _ in sizes.values())
    if total > TOTAL:
        out.append(f"embeds total {total} > {TOTAL}")
    for row in message.get("components") or []:
        for c in row["components"]:
            if len(c.get("label", "")) > BUTTON_LABEL:
                out.append(f"button label {c['label']!r} too long")
            if len(c.get("custom_id", "")) > CUSTOM_ID:
                out.append(f"custom_id {c['custom_id']!r} too long")
    return out
