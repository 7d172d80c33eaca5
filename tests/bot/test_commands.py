"""The commands end to end: the real bot, through discord.py, against the fake Discord."""

from __future__ import annotations

import json
import logging
import re

import pytest
from discord.ext import commands

from bot import interactions, messages
from bot.cli import main
from tests.bot.conftest import TOKEN
from tests.bot.limits import problems
from tests.discord_payloads import APP_ID, GUILD_ID, MOD_ROLE_ID, make_member

BORDER = "How long is the border between North Korea and China?"
TITLE = "Can North Korea play off Russia against China?"
PUBLISHER = "The Interpreter, Lowy Institute"
CTX_PREFIX = "bb:ctx:interpreter-can-north-korea-play-off-russia-against-china:"


def test_commands_synced_to_the_configured_server(env):
    put = [r for r in env.fake.requests if r.method == "PUT"]
    assert [r.path for r in put] == [f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"]
    synced = {c["name"]: c for c in put[0].body}
    assert set(synced) == {
        *("ask", "passage", "sources", "reindex", "brief", "Ask the brief"),
        *("cite", "gaps", "quiz", "Check against the brief"),
    }
    brief = {o["name"]: o for o in synced["brief"]["options"]}
    assert set(brief) == {"add", "remove", "list"}
    assert [o["name"] for o in brief["add"]["options"]] == [
        "file",
        "url",
        "title",
        "publisher",
        "date",
    ]
    assert brief["add"]["options"][0]["type"] == 11  # an attachment
    ask = {o["name"]: o for o in synced["ask"]["options"]}
    assert (ask["question"]["type"], ask["question"]["required"]) == (3, True)
    assert (ask["results"]["min_value"], ask["results"]["max_value"]) == (1, 5)
    assert ask["private"]["type"] == 5 and not ask["private"]["required"]
    assert ask["brief"]["autocomplete"] and not ask["brief"]["required"]
    assert [o["name"] for o in synced["passage"]["options"]] == ["number", "brief"]
    assert synced["ask"]["default_member_permissions"] is None
    # Manage Server (1 << 5) hides /reindex from members; it is also server-only.
    assert int(synced["reindex"]["default_member_permissions"]) == 32
    assert synced["reindex"]["contexts"] == [0]
    assert synced["Ask the brief"]["type"] == 3
    assert all(c["description"] for c in synced.values() if c["type"] == 1)


def test_commands_synced_globally_without_guild_ids(start_bot):
    env = start_bot(guild_ids=[])
    put = [r.path for r in env.fake.requests if r.method == "PUT"]
    assert put == [f"/applications/{APP_ID}/commands"]


def test_ask_quotes_the_passage_with_its_citation(env):
    ex = env.ask(BORDER)
    message = ex.message
    assert not ex.ephemeral
    embed = message["embeds"][0]
    assert embed["title"] == BORDER
    first = embed["fields"][0]
    assert first["name"] == "1. \u00b64"
    assert "1,350-kilometre border" in first["value"]
    # The best-matching sentence stands out. Which one the core picks for this question
    # varies between runs (a float tie summed in set order), so check only its shape.
    (bold,) = re.findall(r"\*\*(.+?)\*\*", first["value"])
    assert bold.startswith("North Korea") and bold.endswith(".")
    assert f"{bold} " in first["value"].replace("**", "")
    assert first["value"].endswith(f"\u2014 *{TITLE}, \u00b64* \u00b7 {PUBLISHER}")
    assert len(embed["fields"]) == 3
    assert message["allowed_mentions"] == {"parse": []}
    assert problems(message) == []


def test_results_option_sets_how_many_passages(env):
    ex = env.ask(BORDER, results=1)
    assert [f["name"] for f in ex.message["embeds"][0]["fields"]] == ["1. \u00b64"]


def test_question_the_brief_does_not_cover_says_so_privately(env):
    ex = env.ask("What is the capital of France?")
    assert ex.message["content"] == messages.NO_MATCH
    assert ex.ephemeral


def test_partial_match_is_only_a_marked_closest_match(env):
    ex = env.ask("What did Kim eat for breakfast in Paris on Tuesday?")
    message = ex.message
    assert message["content"] == messages.NOT_COVERED
    embed = message["embeds"][0]
    assert embed["title"] == messages.CLOSEST_MATCH
    assert len(embed["fields"]) == 1
    assert ex.ephemeral
    assert not [c for c in ex.custom_ids() if c.startswith("bb:more:")]


def test_a_question_about_the_brief_itself_gets_its_metadata(env):
    """ "who published this?": the publisher, from the brief's metadata, in the channel
    (an answer); "who wrote it?": said not to be given, to the asker only."""
    ex = env.ask("who published this?")
    assert not ex.ephemeral
    embed = ex.message["embeds"][0]
    assert embed["title"] == "who published this?"
    assert TITLE in embed["description"]
    assert embed["fields"] == [{"name": "Publisher", "value": PUBLISHER, "inline": False}]
    assert ex.message["allowed_mentions"] == {"parse": []}
    assert problems(ex.message) == []
    missing = env.ask("who wrote it?")
    assert missing.ephemeral
    fields = missing.message["embeds"][0]["fields"]
    assert fields == [{"name": "Author", "value": messages.FACT_NOT_GIVEN, "inline": False}]


NEAR_TOPIC = "How many US troops are stationed in South Korea?"


def test_near_topic_question_shows_the_closest_passages_framed(env, seed_searcher):
    """Neither words nor meaning settle it: the closest passages, said to be only that."""
    answer = seed_searcher.search(NEAR_TOPIC, 3)
    assert answer.verdict == "closest"
    ex = env.ask(NEAR_TOPIC)
    assert ex.message["content"] == messages.CLOSEST_FRAMING
    fields = ex.message["embeds"][0]["fields"]
    assert [f["name"] for f in fields] == [
        f"{n}. \u00b6{h.citation.paragraph}" for n, h in enumerate(answer.hits, start=1)
    ]
    assert not ex.ephemeral  # a framed answer to the channel, like any other
    assert ex.message["allowed_mentions"] == {"parse": []}


def test_private_answer_is_ephemeral(env):
    ex = env.ask(BORDER, private=True)
    assert ex.ephemeral
    assert "1,350-kilometre" in ex.text()


def test_more_button_pages_to_the_next_hits(env, seed_searcher):
    # The pages follow the ranking of the shared search, whatever it is.
    ranked = [h.citation.paragraph for h in seed_searcher.search(BORDER, 4).hits]
    names = [f"{n}. \u00b6{p}" for n, p in enumerate(ranked, start=1)]
    first = env.ask(BORDER, results=2)
    assert [f["name"] for f in first.message["embeds"][0]["fields"]] == names[:2]
    more = env.click(first, "bb:more:")
    fields = more.message["embeds"][0]["fields"]
    assert [f["name"] for f in fields] == names[2:]
    assert more.message["embeds"][0]["footer"]["text"] == "Passages 3-4"
    assert more.ephemeral
    assert more.message["allowed_mentions"] == {"parse": []}
    # The next page has its own More button, further on.
    assert any(c.endswith(":4") for c in more.custom_ids() if c.startswith("bb:more:"))


def test_more_button_from_before_a_restart_says_it_expired(env):
    ex = env.send(env.fake.click("bb:more:00aa11bb22:3"))
    assert ex.message["content"] == messages.EXPIRED
    assert ex.ephemeral


def test_context_button_shows_the_paragraphs_around(env):
    answer = env.ask(BORDER, results=1)
    assert answer.custom_ids()[0] == CTX_PREFIX + "4"
    ctx = env.click(answer, CTX_PREFIX)
    embed = ctx.message["embeds"][0]
    assert embed["title"] == "Context of \u00b64"
    assert [f["name"] for f in embed["fields"]] == ["\u00b63", "\u00b64 (quoted)", "\u00b65"]
    assert embed["fields"][0]["value"].startswith("Younger Kim")
    assert embed["fields"][2]["value"].startswith("Still, North Korea")
    assert ctx.ephemeral
    assert problems(ctx.message) == []


def test_context_of_the_first_paragraph_has_no_paragraph_before(env):
    ctx = env.send(env.fake.click(CTX_PREFIX + "1"))
    names = [f["name"] for f in ctx.message["embeds"][0]["fields"]]
    assert names == ["\u00b61 (quoted)", "\u00b62"]


def test_passage_quotes_a_paragraph(env):
    ex = env.send(env.fake.slash("passage", number=4))
    embed = ex.message["embeds"][0]
    assert embed["title"] == f"{TITLE}, \u00b64"
    assert "1,350-kilometre border" in embed["description"]
    assert embed["description"].endswith(f"*{TITLE}, \u00b64* \u00b7 {PUBLISHER}")


@pytest.mark.parametrize("number", [9, 500])
def test_passage_out_of_range_gives_the_valid_range(env, number):
    ex = env.send(env.fake.slash("passage", number=number))
    assert ex.message["content"] == f"{TITLE} has paragraphs 1-8. Pick a number in that range."
    assert ex.ephemeral


def test_passage_of_an_unknown_brief(env):
    ex = env.send(env.fake.slash("passage", number=1, brief="<@&456> nope"))
    assert ex.message["content"].startswith('There is no brief named "<@&\u200b456> nope"')
    assert ex.ephemeral


def test_sources_lists_the_brief(env):
    ex = env.send(env.fake.slash("sources"))
    embed = ex.message["embeds"][0]
    assert embed["title"] == messages.SOURCES_TITLE
    assert [f["name"] for f in embed["fields"]] == [TITLE]
    assert "8 paragraphs, 11 passages" in embed["fields"][0]["value"]
    assert embed["footer"]["text"].startswith("Index built 20")


def test_message_command_asks_with_the_message_text(env):
    ex = env.send(env.fake.message_command("Ask the brief", BORDER))
    embed = ex.message["embeds"][0]
    assert embed["title"] == BORDER
    assert embed["fields"][0]["name"] == "1. \u00b64"
    assert ex.message["allowed_mentions"] == {"parse": []}


def test_message_command_on_a_message_without_text(env):
    ex = env.send(env.fake.message_command("Ask the brief", "   "))
    assert ex.message["content"] == messages.EMPTY_MESSAGE
    assert ex.ephemeral


def test_shard_count_makes_an_auto_sharded_bot(start_bot):
    # One shard: discord.py waits 5 s between shard IDENTIFYs, too slow for a unit test.
    env = start_bot(shard_count=1)
    assert isinstance(env.bot, commands.AutoShardedBot)
    identify = [p["d"] for p in env.fake.sent_by_bot if p["op"] == 2]
    assert [d["shard"] for d in identify] == [[0, 1]]
    assert "1,350-kilometre" in env.ask(BORDER).text()


def test_bot_identifies_without_privileged_intents(env):
    (identify,) = [p["d"] for p in env.fake.sent_by_bot if p["op"] == 2]
    privileged = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
    assert identify["intents"] & privileged == 0
    assert identify["token"] == "fake-token-for-tests"
    assert not isinstance(env.bot, commands.AutoShardedBot)


def test_cli_and_bot_quote_the_same_paragraphs(env, capsys):
    assert main(["ask", "--config", str(env.config.source), "--json", BORDER]) == 0
    cli = json.loads(capsys.readouterr().out)
    bot = env.ask(BORDER, results=3).message["embeds"][0]["fields"]
    assert [r["citation"]["locator"] for r in cli["results"]] == [
        f["name"].split(" ", 1)[1] for f in bot
    ]


def test_refused_sync_is_logged_and_the_bot_keeps_serving(fake, start_bot, caplog):
    fake.forbid_sync = True
    with caplog.at_level(logging.ERROR, logger="bot"):
        env = start_bot()
    assert "Could not register the slash commands (Discord answered 403)" in caplog.text
    # Commands registered before still reach the bot.
    fake.commands["global"] = [
        fake._command(c.to_dict(env.bot.tree), "global") for c in env.bot.tree.get_commands()
    ]
    assert "1,350-kilometre" in env.ask(BORDER).text()


def test_the_token_never_reaches_the_logs(start_bot, caplog):
    with caplog.at_level(logging.DEBUG):
        env = start_bot()
        env.ask(BORDER)
        env.send(env.fake.slash("reindex", member=make_member(roles=(MOD_ROLE_ID,))))
        env.close()
    assert "logging in using static token" in caplog.text  # DEBUG/INFO logs were captured
    assert TOKEN not in caplog.text


def test_slow_search_is_deferred_then_answered(env, monkeypatch):
    # As if the search took longer than the deferral threshold.
    monkeypatch.setattr(interactions, "DEFER_AFTER_SECONDS", 0.0)
    ex = env.ask(BORDER)
    assert [(r.method, r.path.split("/")[1]) for r in ex.requests] == [
        ("POST", "interactions"),
        ("POST", "webhooks"),
    ]
    assert ex.requests[0].body["type"] == 5
    assert not ex.ephemeral
    assert ex.message["embeds"][0]["fields"][0]["name"] == "1. \u00b64"
    assert ex.message["allowed_mentions"] == {"parse": []}


def test_slow_miss_replaces_the_public_placeholder_with_a_private_note(env, monkeypatch):
    monkeypatch.setattr(interactions, "DEFER_AFTER_SECONDS", 0.0)
    ex = env.ask("What is the capital of France?")
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in ex.requests][:2] == [
        ("POST", "callback"),
        ("DELETE", "@original"),
    ]
    followup = ex.requests[-1].body
    assert followup["content"] == messages.NO_MATCH
    assert followup["flags"] & 64


def test_context_of_a_paragraph_no_longer_indexed(env):
    ctx = env.send(env.fake.click(CTX_PREFIX + "99"))
    assert ctx.message["content"] == messages.CONTEXT_GONE
    assert ctx.ephemeral


def test_brief_option_autocompletes_from_the_index(env):
    payload = env.fake.slash("passage", number=1, brief="north")
    payload["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
    payload["data"]["options"][1]["focused"] = True

    def answered(requests):
        return any(r.path.endswith("/callback") for r in requests)

    ex = env.send(payload, done=answered)
    assert ex.callback["type"] == 8
    assert ex.callback["data"]["choices"] == [
        {"name": TITLE, "value": "interpreter-can-north-korea-play-off-russia-against-china"}
    ]
