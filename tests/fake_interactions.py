"""INTERACTION_CREATE payloads for the fake Discord: a slash command, a message command
and a button click, typed from the commands the bot synced (a mixin of `Fake`)."""

from __future__ import annotations

from typing import Any

from tests.discord_payloads import interaction, make_member


class Interactions:
    """Builds interactions from the fake's state; `Fake` provides what is declared here."""

    commands: dict[str, list[dict[str, Any]]]

    def snowflake(self) -> int:
        raise NotImplementedError

    def _message(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def synced(self, name: str) -> dict[str, Any]:
        """The synced command called `name` (guild commands first)."""
        for scope in sorted(self.commands, key=lambda s: s == "global"):
            for command in self.commands[scope]:
                if command["name"] == name:
                    return command
        raise KeyError(f"no synced command {name!r}")

    def _base(self, kind: int, member: dict[str, Any]) -> dict[str, Any]:
        return interaction(self.snowflake(), kind, member)

    def slash(
        self, name: str, member: dict[str, Any] | None = None, **options: Any
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE for `/name option=value...`, typed from the synced schema."""
        command = self.synced(name)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        payload = self._base(2, member or make_member())
        payload["data"] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "guild_id": command.get("guild_id"),
            "options": [{"name": k, "type": types[k], "value": v} for k, v in options.items()],
        }
        return payload

    def message_command(self, name: str, content: str) -> dict[str, Any]:
        """An INTERACTION_CREATE for the message command `name` used on a message `content`."""
        command = self.synced(name)
        target = {
            **self._message({"content": content}),
            "author": make_member()["user"],
            "type": 0,
        }
        payload = self._base(2, make_member())
        payload["data"] = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "guild_id": command.get("guild_id"),
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        return payload

    def click(self, custom_id: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE for a click on the button `custom_id` of `message`.

        Without `message`, one holding just that button (Discord always sends the message).
        """
        button = {"type": 2, "style": 2, "label": "button", "custom_id": custom_id}
        payload = self._base(3, make_member())
        payload["message"] = message or self._message(
            {"components": [{"type": 1, "components": [button]}]}
        )
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        return payload
