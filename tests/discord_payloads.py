"""Discord API v10 payloads for the fake Discord: ids, the bot user, a member, the server."""

from __future__ import annotations

import time
from typing import Any

APP_ID = 900_000_000_000_000_001
BOT_ID = APP_ID
GUILD_ID = 900_000_000_000_000_100
CHANNEL_ID = 900_000_000_000_000_200
MOD_ROLE_ID = 900_000_000_000_000_300
OTHER_ROLE_ID = 900_000_000_000_000_301
USER_ID = 900_000_000_000_000_400
DISCORD_EPOCH_MS = 1_420_070_400_000

# Discord's permission bits used in tests.
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view channel, send, use app commands

BOT_USER = {
    "id": str(BOT_ID),
    "username": "briefbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
    "verified": True,
    "mfa_enabled": False,
}

# Interaction callback types (Discord docs, "interaction response object").
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE = 6
UPDATE_MESSAGE = 7
EPHEMERAL = 1 << 6


def make_member(
    user_id: int = USER_ID, *, roles: tuple[int, ...] = (), permissions: int = MEMBER_PERMISSIONS
) -> dict[str, Any]:
    """The `member` object of an interaction."""
    return {
        "user": {
            "id": str(user_id),
            "username": f"student{user_id % 1000}",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
        },
        "roles": [str(r) for r in roles],
        "permissions": str(permissions),
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
    }


def guild() -> dict[str, Any]:
    """The GUILD_CREATE payload of the study server."""
    everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS)}
    return {
        "id": str(GUILD_ID),
        "name": "Study server",
        "icon": None,
        "owner_id": str(USER_ID + 1),
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "roles": [
            {**everyone, "position": 0},
            {"id": str(MOD_ROLE_ID), "name": "Moderators", "permissions": "0", "position": 1},
            {"id": str(OTHER_ROLE_ID), "name": "Students", "permissions": "0", "position": 1},
        ],
        "channels": [
            {
                "id": str(CHANNEL_ID),
                "type": 0,
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
            }
        ],
        "members": [],
        "threads": [],
        "emojis": [],
        "stickers": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "premium_tier": 0,
        "preferred_locale": "en-GB",
        "system_channel_flags": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "joined_at": "2024-01-01T00:00:00+00:00",
    }


def application() -> dict[str, Any]:
    """GET /oauth2/applications/@me."""
    return {
        "id": str(APP_ID),
        "name": "briefbot",
        "description": "",
        "icon": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": {**BOT_USER, "id": str(USER_ID), "username": "owner", "bot": False},
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "interactions_endpoint_url": None,
    }


def interaction(iid: int, kind: int, member: dict[str, Any]) -> dict[str, Any]:
    """The common part of an INTERACTION_CREATE in the study server's channel."""
    return {
        "id": str(iid),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"itoken-{iid}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": str(CHANNEL_ID),
        "channel": {
            "id": str(CHANNEL_ID),
            "type": 0,
            "name": "general",
            "guild_id": str(GUILD_ID),
        },
        "member": member,
        "app_permissions": str(MEMBER_PERMISSIONS),
        "locale": "en-GB",
        "guild_locale": "en-GB",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    }


def rate_limited(
    retry_after: float, *, is_global: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and headers of a 429, as Discord sends them.

    discord.py retries only when a `Via` header is present (without it, the 429 is taken
    for a Cloudflare ban); it sleeps for the body's `retry_after`.
    """
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fake-bucket",
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return body, headers
