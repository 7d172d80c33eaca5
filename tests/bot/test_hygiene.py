"""Message hygiene through the fake Discord: no pings, escaped text, limits, cooldown, errors."""

from __future__ import annotations

import logging

import pytest

from bot import messages
from tests.bot.limits import problems

BORDER = "How long is the border between North Korea and China?"
HOSTILE = "@everyone @here <@123> <@!123> <@&456> <#789> **bold** __u__ ||spoiler|| `code` ~~s~~"
LONG_TITLE = "A very long title " * 25
RUN_ON = " ".join(["zebras crossing the border without a full stop"] * 150)


@pytest.fixture
def hostile_env(start_bot, seeds_dir):
    """A bot whose seeds also hold a brief written to break messages."""
    body = [
        f"{HOSTILE} zebras. {RUN_ON}",
        ("*_~|`> " * 400) + " zebras everywhere.",
        " ".join(f"Zebra fact {i} is short." for i in range(300)),
        f"> {HOSTILE} [a masked link](https://evil.example) # heading zebras",
    ]
    text = "Hostile\n\nA standfirst.\n\n" + "\n\n".join(body) + "\n"
    (seeds_dir / "hostile.txt").write_text(text, encoding="utf-8")
    (seeds_dir / "hostile.yaml").write_text(
        f"title: '{LONG_TITLE}{HOSTILE}'\npublisher: '{HOSTILE}'\n"
        f"url: 'https://example.org/{'a' * 170}'\n",
        encoding="utf-8",
    )
    return start_bot()


def _check(ex):
    for message in ex.messages:
        assert problems(message) == [], message
        assert message["allowed_mentions"] == {"parse": []}
    text = ex.text()
    for ping in ("@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>"):
        assert ping not in text
    return text


@pytest.mark.parametrize(
    "question",
    [
        f"{HOSTILE} how long is the border with China?",
        "@everyone " * 100,
        "zebras " + "*" * 900,
        "zebras " * 140,
    ],
)
def test_hostile_questions_ping_nobody_and_fit(hostile_env, question):
    ex = hostile_env.ask(question, results=5)
    _check(ex)


def test_mentions_in_the_question_are_neutralised_in_the_title(hostile_env):
    ex = hostile_env.ask(f"{HOSTILE} how long is the border with China?")
    title = ex.message["embeds"][0]["title"]
    assert title.startswith("@\u200beveryone @\u200bhere <@\u200b123>")
    assert "\\*\\*bold\\*\\*" in title


def test_long_passages_are_cut_with_the_citation_kept(hostile_env):
    ex = hostile_env.ask("zebras crossing the border full stop", results=5)
    _check(ex)
    fields = ex.message["embeds"][0]["fields"]
    assert len(fields) == 5
    for f in fields:
        # Every quote keeps its citation line after the (possibly cut) quote.
        quote, citation = f["value"].rsplit("\n", 1)
        assert quote.startswith("> ")
        assert citation.startswith("\u2014 ")
        assert "\u00b6" in citation
    assert any(f["value"].split("\n")[0].endswith("\u2026") for f in fields)


def test_passage_context_and_sources_fit_for_hostile_briefs(hostile_env):
    for number in (1, 2, 3, 4):
        ex = hostile_env.send(hostile_env.fake.slash("passage", number=number, brief="hostile"))
        _check(ex)
        assert ex.message["embeds"][0]["description"].count("\u2014 [") == 1
        ctx = hostile_env.send(hostile_env.fake.click(f"bb:ctx:hostile:{number}"))
        _check(ctx)
    _check(hostile_env.send(hostile_env.fake.slash("sources")))


def test_passage_asks_which_brief_when_there_are_several(hostile_env):
    ex = hostile_env.send(hostile_env.fake.slash("passage", number=1))
    assert ex.message["content"].startswith("Several briefs are indexed")
    assert ex.ephemeral


def test_cooldown_answers_spam_with_a_private_notice(start_bot):
    env = start_bot(cooldown_uses=2, cooldown_seconds=60)
    assert "1,350-kilometre" in env.ask(BORDER).text()
    assert "1,350-kilometre" in env.ask(BORDER).text()
    third = env.ask(BORDER)
    assert third.message["content"] == messages.COOLDOWN.format(seconds=60)
    assert third.ephemeral
    # Buttons count too.
    click = env.send(env.fake.click("bb:more:0011223344:3"))
    assert click.message["content"].startswith("You're asking quickly.")


def test_unexpected_error_gives_a_private_apology_and_logs_the_traceback(env, caplog):
    env.fake.fail_callbacks = 1  # Discord refuses the first answer
    payload = env.fake.slash("ask", question=BORDER)

    def two_callbacks(requests):
        return len([r for r in requests if r.path.endswith("/callback")]) == 2

    with caplog.at_level(logging.ERROR, logger="bot"):
        ex = env.send(payload, done=two_callbacks)
    apology = [r.body for r in ex.requests if r.path.endswith("/callback")][1]
    assert apology["data"]["content"] == messages.APOLOGY
    assert apology["data"]["flags"] & 64
    assert apology["data"]["allowed_mentions"] == {"parse": []}
    errors = [r for r in caplog.records if r.name == "bot.interactions"]
    assert len(errors) == 1
    assert errors[0].message.startswith("Unexpected error in ask")
    assert "HTTPException" in caplog.text and "Traceback" in caplog.text


def test_question_with_nothing_to_search_gets_the_core_advice_privately(env, caplog):
    with caplog.at_level(logging.ERROR, logger="bot"):
        ex = env.ask("the and of ?")
    assert ex.message["content"].startswith("The question has no words to search for.")
    assert ex.ephemeral
    assert not [r for r in caplog.records if r.name.startswith("bot")]
