"""A fake Discord on 127.0.0.1: enough of API v10 (REST + gateway) for discord.py to run our bot.

It records every REST request the bot makes and every gateway payload it sends,
and lets a test dispatch events (INTERACTION_CREATE built by tests/fake_interactions.py).
Point discord.py at it with `discord.http.Route.BASE = fake.api_base` and
`DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_payloads import (
    APP_ID,
    BOT_USER,
    CHANNEL_ID,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DISCORD_EPOCH_MS,
    EPHEMERAL,
    GUILD_ID,
    UPDATE_MESSAGE,
    application,
    guild,
    rate_limited,
)
from tests.fake_interactions import Interactions


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only when the Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


@dataclass
class Request:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None
    at: float
    status: int = 200


@dataclass
class Fault:
    """Answer REST calls whose path contains `where` with `status` instead of serving them.

    Every `every`-th matching call fails, `times` times in all (None: without end). A 429
    carries `retry_after` (seconds) in its body and Discord's rate-limit headers.
    """

    where: str
    status: int
    times: int | None = 1
    every: int = 1
    retry_after: float = 0.05
    is_global: bool = False
    seen: int = 0


@dataclass
class Fake(Interactions):
    """The fake's state: what it serves and what it has seen."""

    token: str
    reject_token: bool = False
    # Interaction callbacks still to refuse with 400, as Discord does for a bad payload.
    fail_callbacks: int = 0
    # Refuse command registration with 403, as for a server the bot was not invited to.
    forbid_sync: bool = False
    faults: list[Fault] = field(default_factory=list)
    # Answer every RESUME with INVALID_SESSION, so the bot must IDENTIFY again.
    refuse_resume: bool = False
    identifies: int = 0
    resumes: int = 0
    requests: list[Request] = field(default_factory=list)
    sent_by_bot: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    # Sockets whose session is up (after READY or RESUMED): the ones that get events.
    live: list[web.WebSocketResponse] = field(default_factory=list)
    session: str = ""
    # Every event of the current session, replayed from the bot's last `seq` on RESUME.
    events: list[dict[str, Any]] = field(default_factory=list)
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _transports: dict[web.WebSocketResponse, Any] = field(default_factory=dict)

    # -- addresses -------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        """What discord.http.Route.BASE must be."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The websocket URL of the fake gateway."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> int:
        """A fresh id whose timestamp is now, like Discord's."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._ids) & 0x3FFFFF)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _note(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Wait (at most `timeout` s) until `predicate()` is truthy; return its value."""

        async def check() -> Any:
            async with self.changed:
                while not (result := predicate()):
                    await self.changed.wait()
                return result

        return await asyncio.wait_for(check(), timeout)

    # -- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        seen = Request(
            request.method,
            path,
            dict(request.query),
            body,
            request.headers.get("Authorization"),
            time.perf_counter(),
        )
        response = self._fault(path) or self._answer(
            request.method, path.split("/")[1:], body, request
        )
        seen.status = response.status
        self.requests.append(seen)
        await self._note()
        return response

    def _fault(self, path: str) -> web.Response | None:
        for fault in self.faults:
            if fault.where not in path or fault.times == 0:
                continue
            fault.seen += 1
            if fault.seen % fault.every:
                continue
            if fault.times is not None:
                fault.times -= 1
            if fault.status == 429:
                body, headers = rate_limited(fault.retry_after, is_global=fault.is_global)
                response = _json(body, 429)
                response.headers.update(headers)
                return response
            return _json(
                {"message": f"{fault.status}: Server error (fake)", "code": 0}, fault.status
            )
        return None

    def _bot_auth_ok(self, request: web.Request) -> bool:
        return not self.reject_token and request.headers.get("Authorization") == f"Bot {self.token}"

    def _answer(
        self, method: str, parts: list[str], body: Any, request: web.Request
    ) -> web.StreamResponse:
        needs_bot_auth = parts[0] in ("users", "oauth2", "gateway", "applications")
        if needs_bot_auth and not self._bot_auth_ok(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        route = (method, *parts)
        if route == ("GET", "users", "@me"):
            return _json(BOT_USER)
        if route == ("GET", "oauth2", "applications", "@me"):
            return _json(application())
        if parts[0] == "gateway":
            return _json(
                {
                    "url": self.gateway_url,
                    "shards": 1,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 999,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if parts[0] == "applications" and parts[-1] == "commands":
            scope = parts[3] if len(parts) == 5 else "global"
            if method == "PUT" and self.forbid_sync:
                return _json({"message": "Missing Access", "code": 50001}, 403)
            if method == "PUT":
                self.commands[scope] = [self._command(c, scope) for c in body]
            return _json(self.commands.get(scope, []))
        if parts[0] == "interactions" and parts[-1] == "callback" and self.fail_callbacks:
            self.fail_callbacks -= 1
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": {}}, 400)
        if parts[0] == "interactions" and parts[-1] == "callback":
            return _json(self._callback(int(parts[1]), body))
        if parts[0] == "channels" and parts[-1] == "messages" and method == "POST":
            return _json(self._message(body or {}))  # e.g. the library's mod-log posts
        if parts[0] == "webhooks":
            if method == "DELETE":
                return web.Response(status=204)
            return _json(self._message(body or {}))
        return _json({"message": "Unknown route (fake)", "code": 0}, status=404)

    def _command(self, payload: dict[str, Any], scope: str) -> dict[str, Any]:
        out = {
            **payload,
            "id": str(self.snowflake()),
            "application_id": str(APP_ID),
            "version": "1",
        }
        out.setdefault("type", 1)
        out.setdefault("description", "")
        if scope != "global":
            out["guild_id"] = scope
        return out

    def _message(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(CHANNEL_ID),
            "author": BOT_USER,
            "content": data.get("content") or "",
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "pinned": False,
            "type": 20,
            "flags": data.get("flags", 0),
            "application_id": str(APP_ID),
            "webhook_id": str(APP_ID),
        }

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        out: dict[str, Any] = {"interaction": {"id": str(interaction_id), "type": 2}}
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE):
            message = self._message(data)
            out["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=kind == DEFERRED_CHANNEL_MESSAGE,
                response_message_ephemeral=bool(data.get("flags", 0) & EPHEMERAL),
            )
            out["resource"] = {"type": kind, "message": message}
        return out

    # -- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        self._transports[ws] = request.transport
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.sent_by_bot.append(payload)
                op = payload.get("op")
                if op == 1:
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    await self._ready(ws, payload["d"])
                elif op == 6:
                    await self._resume(ws, payload["d"])
                await self._note()
        finally:
            self.sockets.remove(ws)
            self._transports.pop(ws, None)
            if ws in self.live:
                self.live.remove(ws)
            await self._note()
        return ws

    async def _ready(self, ws: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        self.identifies += 1
        self.session = f"fake-session-{self.identifies}"
        self.events.clear()
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": self.session,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
        }
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        await self._send(ws, "READY", ready)
        await self._send(ws, "GUILD_CREATE", guild())
        self.live.append(ws)
        self.identified.set()

    async def _resume(self, ws: web.WebSocketResponse, resume: dict[str, Any]) -> None:
        """Replay what the bot missed, then RESUMED; or INVALID_SESSION (not resumable)."""
        if self.refuse_resume or resume.get("session_id") != self.session:
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
            return
        for event in [e for e in self.events if e["s"] > (resume.get("seq") or 0)]:
            await ws.send_json(event)
        self.resumes += 1
        self.live.append(ws)
        await self._send(ws, "RESUMED", {})

    def _event(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        payload = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        self.events.append(payload)
        return payload

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json(self._event(event, data))

    async def dispatch(self, event: str, data: dict[str, Any]) -> float:
        """Send a gateway event to the bot; return the time it was sent (perf_counter).

        While no session is up the event is kept, and replayed when the bot resumes.
        """
        sent = time.perf_counter()
        payload = self._event(event, data)
        for ws in self.live:
            await ws.send_json(payload)
        return sent

    async def drop_gateway(self, code: int | None = 4000) -> None:
        """Close the bot's gateway sockets with `code`, as Discord does when it drops one.

        With `code=None`, cut the TCP connection without a closing handshake, as a network
        failure would.
        """
        for ws in list(self.live):
            self.live.remove(ws)
            transport = self._transports.pop(ws, None)
            if code is None and transport is not None:
                transport.abort()
            else:
                await ws.close(code=code or 1000)

    async def ask_reconnect(self) -> None:
        """Send RECONNECT (op 7), as Discord does before it moves a session."""
        for ws in list(self.live):
            self.live.remove(ws)
            await ws.send_json({"op": 7, "d": None, "s": None, "t": None})
