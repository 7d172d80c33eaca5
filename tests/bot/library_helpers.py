"""/brief payloads for the fake Discord (a subcommand, an attachment) and a file server
on 127.0.0.1 that serves attachments and links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.discord_payloads import CHANNEL_ID, GUILD_ID, MANAGE_GUILD, MOD_ROLE_ID, make_member
from tests.fake_discord import Fake

MODERATOR = make_member(roles=(MOD_ROLE_ID,))
# A moderator by permission (Manage Server), for servers the fake has not sent as cached.
ADMIN = make_member(user_id=900_000_000_000_000_401, permissions=MANAGE_GUILD)
OTHER_GUILD_ID = 900_000_000_000_000_101


@dataclass
class Files:
    """An HTTP server on 127.0.0.1 serving `files[path] = (body, content type)`."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    port: int = 0
    runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._serve)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Stop listening."""
        if self.runner is not None:
            await self.runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        found = self.files.get("/" + request.match_info["tail"])
        if found is None:
            return web.Response(status=404)
        body, kind = found
        return web.Response(body=body, headers={"Content-Type": kind})

    def put(self, path: str, body: bytes, kind: str) -> str:
        """Serve `body` at `path`; return its URL."""
        self.files[path] = (body, kind)
        return f"http://127.0.0.1:{self.port}{path}"


def brief_command(
    fake: Fake,
    sub: str,
    member: dict[str, Any],
    *,
    guild_id: int = GUILD_ID,
    attachment: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """An INTERACTION_CREATE for `/brief <sub> option=value...` (and a file attachment)."""
    command = fake.synced("brief")
    schema = next(o for o in command["options"] if o["name"] == sub)
    types = {o["name"]: o["type"] for o in schema.get("options", [])}
    payload = fake._base(2, member)
    given = [{"name": k, "type": types[k], "value": v} for k, v in options.items()]
    resolved: dict[str, Any] = {}
    if attachment is not None:
        given.append({"name": "file", "type": types["file"], "value": attachment["id"]})
        resolved = {"attachments": {attachment["id"]: attachment}}
    payload["data"] = {
        "id": command["id"],
        "name": "brief",
        "type": 1,
        "guild_id": command.get("guild_id"),
        "options": [{"name": sub, "type": 1, "options": given}],
        "resolved": resolved,
    }
    return in_guild(payload, guild_id)


def in_guild(payload: dict[str, Any], guild_id: int) -> dict[str, Any]:
    """`payload` as if sent in server `guild_id`."""
    payload["guild_id"] = str(guild_id)
    # A server the fake never sent: discord.py builds the channel from the payload alone.
    payload["channel"] = {
        **payload["channel"],
        "guild_id": str(guild_id),
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
    }
    payload["authorizing_integration_owners"] = {"0": str(guild_id)}
    payload["channel_id"] = str(CHANNEL_ID)
    return payload


def attachment(fake: Fake, files: Files, name: str, body: bytes, kind: str) -> dict[str, Any]:
    """An attachment object for `body`, served by `files` under its name."""
    url = files.put(f"/attachments/{name}", body, kind)
    return {
        "id": str(fake.snowflake()),
        "filename": name,
        "size": len(body),
        "url": url,
        "proxy_url": url,
        "content_type": kind,
    }
