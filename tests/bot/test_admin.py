"""/reindex through the fake Discord: who may use it, what it reports, and failures."""

from __future__ import annotations

from bot import messages
from tests.discord_payloads import (
    DEFERRED_CHANNEL_MESSAGE,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    MOD_ROLE_ID,
    OTHER_ROLE_ID,
    make_member,
)

BORDER = "How long is the border between North Korea and China?"
MODERATOR = make_member(roles=(MOD_ROLE_ID,))
NEW_BRIEF = """A brief about fish

What rivers owe to the fish in them.

Salmon swim upstream to spawn in the rivers where they hatched.

Trout prefer cold, clear water and feed on insects.
"""


def _reindex(env, member):
    return env.send(env.fake.slash("reindex", member=member))


def test_member_is_refused_and_nothing_is_rebuilt(env):
    index = env.bot.holder.current
    ex = _reindex(env, make_member(roles=(OTHER_ROLE_ID,)))
    assert ex.message["content"] == messages.NOT_MODERATOR
    assert ex.ephemeral
    assert env.bot.holder.current is index


def test_moderator_role_rebuilds_and_says_what_changed(env, seeds_dir):
    (seeds_dir / "fish.txt").write_text(NEW_BRIEF, encoding="utf-8")
    (seeds_dir / "notes.docx").write_bytes(b"PK")
    ex = _reindex(env, MODERATOR)
    defer = ex.requests[0].body
    # Acknowledged at once, privately, with "thinking", then answered by a followup.
    assert defer["type"] == DEFERRED_CHANNEL_MESSAGE
    assert defer["data"]["flags"] & 64
    text = ex.message["content"]
    assert text.startswith("Rebuilt the index in ")
    assert "2 brief(s) (was 1), 14 passages (was 11)." in text  # the seed: 2 captions
    assert "Skipped notes.docx: not a brief" in text
    assert ex.message["allowed_mentions"] == {"parse": []}
    # The new brief answers at once, without a restart.
    answer = env.ask("Where do salmon spawn?")
    assert "Salmon swim upstream" in answer.text()
    assert "A brief about fish, \u00b61" in answer.text()


def test_manage_server_permission_is_enough(env):
    member = make_member(permissions=MEMBER_PERMISSIONS | MANAGE_GUILD)
    ex = _reindex(env, member)
    assert "1 brief(s) (was 1), 11 passages (was 11)." in ex.message["content"]


def test_failed_rebuild_keeps_the_old_index(env, seeds_dir):
    for path in seeds_dir.iterdir():
        path.unlink()
    old = env.bot.holder.current
    ex = _reindex(env, MODERATOR)
    text = ex.message["content"]
    assert text.startswith("The rebuild failed, so the previous index is still answering: ")
    assert "No usable brief" in text
    assert ex.ephemeral
    assert env.bot.holder.current is old
    assert "1,350-kilometre" in env.ask(BORDER).text()


def test_two_reindexes_at_once_one_is_told_to_wait(env):
    first = env.fake.slash("reindex", member=MODERATOR)
    second = env.fake.slash("reindex", member=MODERATOR)

    async def both():
        # Back to back on the gateway, as two moderators clicking at once.
        await env.fake.dispatch("INTERACTION_CREATE", first)
        await env.fake.dispatch("INTERACTION_CREATE", second)

    env.lt.run(both())

    def answers():
        out = {}
        for r in env.fake.requests:
            body = r.body if isinstance(r.body, dict) else {}
            content = body.get("content") or (body.get("data") or {}).get("content")
            for p in (first, second):
                if p["token"] in r.path and content:
                    out[p["token"]] = content
        return out if len(out) == 2 else None

    got = env.lt.run(env.fake.wait_until(answers, 5))
    assert sorted(v.split(" ")[0] for v in got.values()) == ["A", "Rebuilt"]
    assert messages.REINDEX_RUNNING in got.values()


def test_reindex_only_in_a_server(env):
    payload = env.fake.slash("reindex", member=MODERATOR)
    user = payload.pop("member")["user"]
    del payload["guild_id"], payload["data"]["guild_id"]
    payload["user"] = user
    payload["channel"] = {"id": payload["channel_id"], "type": 1, "recipients": [user]}
    payload["context"] = 1
    ex = env.send(payload)
    assert ex.message["content"] == messages.GUILD_ONLY
    assert ex.ephemeral
