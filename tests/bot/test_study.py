"""The study tools end to end, through the fake Discord: Cite, /cite, Check against the
brief, Why?, votes, /gaps, /quiz and the refresh report."""

from __future__ import annotations

import re
import secrets

import pytest

from bot import messages
from bot import study_messages as say
from bot.cogs.study import QUIZ_SEED_MAX
from bot.feedback import Tally
from bot.study_buttons import quiz_from
from tests.conftest import SEED_STEM
from tests.discord_payloads import GUILD_ID, MOD_ROLE_ID, OTHER_ROLE_ID, make_member

BORDER = "How long is the border between North Korea and China?"
TITLE = "Can North Korea play off Russia against China?"
MODERATOR = make_member(roles=(MOD_ROLE_ID,))
MEMBER = make_member(roles=(OTHER_ROLE_ID,))
OFF_TOPIC = "What is the capital of France?"


def _fields(ex):
    return {f["name"]: f["value"] for e in ex.message.get("embeds", []) for f in e["fields"]}


def test_answers_carry_cite_why_and_vote_buttons_in_one_row(env):
    ex = env.ask(BORDER)
    rows = ex.message["components"]
    assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)
    study = [c["custom_id"] for c in rows[-1]["components"]]
    assert [re.sub(r"[0-9a-f]{32}", "K", c) for c in study] == [
        "bb:cite:K",
        "bb:why:K",
        "bb:vote:K:u",
        "bb:vote:K:d",
    ]
    assert all(len(c) <= 100 for c in ex.custom_ids())


def test_cite_gives_every_style_for_the_seed(env):
    ex = env.click(env.ask(BORDER, results=1), "bb:cite:")
    assert ex.ephemeral
    fields = _fields(ex)
    assert fields["APA 7"].startswith(f"*{TITLE}* (n.d.). The Interpreter, Lowy Institute.")
    assert "(*Can North Korea Play Off Russia Against China?*, n.d., para. 4)" in fields["APA 7"]
    mla = "\u201cCan North Korea Play Off Russia against China?\u201d"
    assert fields["MLA 9"].startswith(f"{mla} *The Interpreter*, Lowy Institute.")
    assert f"({mla} par. 4)" in fields["MLA 9"]
    assert f"({mla} n.d., para. 4)" in fields["Chicago (author-date)"]
    notes = fields["Chicago (notes and bibliography)"]
    assert f"{mla} The Interpreter, Lowy Institute, par. 4." in notes


def test_cite_command_lists_each_quoted_passage_once(env):
    for question in (BORDER, BORDER, "Why does Kim want an alternative to China?"):
        env.ask(question, results=2)
    ex = env.send(env.fake.slash("cite"))
    text = ex.text()
    assert text.count(f"*{TITLE}* (n.d.). The Interpreter, Lowy Institute.") == 1
    cited = re.findall(r"para\. (\d+)\)", text)
    assert cited and len(cited) == len(set(cited))
    assert "4" in cited


def test_cite_command_with_nothing_quoted_says_so(env):
    assert env.send(env.fake.slash("cite", style="mla")).message["content"] == say.CITE_NONE


def test_check_a_claim_the_seed_supports_returns_its_paragraph(env):
    claim = "North Korea and China share a border of 1,350 kilometres."
    ex = env.send(env.fake.message_command("Check against the brief", claim))
    assert say.CHECK_HONESTY in ex.message["content"]
    assert say.NONE_SUPPORTS not in ex.message["content"]
    fields = _fields(ex)
    assert fields["\u00b64: " + say.SUPPORTS].startswith("> ")
    assert "1,350-kilometre border" in fields["\u00b64: " + say.SUPPORTS]


def test_check_an_unrelated_claim_says_none_supports_it(env):
    claim = "Penguins prefer bananas to fish in the Antarctic summer."
    ex = env.send(env.fake.message_command("Check against the brief", claim))
    assert ex.message["content"].startswith(say.NONE_SUPPORTS)
    assert say.CHECK_HONESTY in ex.message["content"]


def test_why_shows_the_matched_terms_and_ranks(env):
    ex = env.click(env.ask(BORDER, results=1), "bb:why:")
    assert ex.ephemeral
    value = _fields(ex)["1. \u00b64"]
    assert "+ border: BM25" in value
    assert "+ long: BM25" in value
    assert "alias group" in value
    assert "Rank 1 by fused: words 1, meaning 1" in value
    assert "Closest sentence, cosine" in value


def test_up_then_down_from_the_same_user_leaves_one_vote(env):
    answer = env.ask(BORDER)
    up = env.click(answer, "bb:vote:")
    assert up.ephemeral and "1 \U0001f44d, 0 \U0001f44e" in up.message["content"]
    down_id = next(c for c in answer.custom_ids() if c.endswith(":d"))
    down = env.send(env.fake.click(down_id, env.fake._message(answer.messages[0])))
    assert "0 \U0001f44d, 1 \U0001f44e" in down.message["content"]
    key = down_id.split(":")[2]
    assert env.bot.get_cog("StudyCog").store.tally(GUILD_ID, key) == Tally(0, 1)


def test_gaps_refused_to_members(env):
    ex = env.send(env.fake.slash("gaps", member=MEMBER))
    assert ex.message["content"] == messages.NOT_MODERATOR
    assert ex.ephemeral


def test_gaps_lists_a_question_asked_twice_first(env):
    env.ask("Who won the football world cup in 1998?")
    env.ask(OFF_TOPIC)
    env.ask("what is the capital of France")
    ex = env.send(env.fake.slash("gaps", member=MODERATOR))
    lines = ex.message["embeds"][0]["description"].splitlines()
    assert lines[0].startswith("1. ") and "capital of France" in lines[0]
    assert "asked 2\u00d7" in lines[0]
    assert "world cup" in lines[1] and "asked 1\u00d7" in lines[1]


def _quiz_seed(library, kind: str) -> int:
    """The first quiz seed whose question blanks a word of a passage of `kind`."""
    passages = library.passages
    for seed in range(QUIZ_SEED_MAX):
        if passages[passages.find(quiz_from(library, seed, None).passage_id)].kind == kind:
            return seed
    raise AssertionError(f"no quiz blanks a {kind}")


# The /quiz seed is random: each kind of passage a quiz can blank is asked for in turn (a
# standfirst, cited without a paragraph number, is about 1 seed in 40).
@pytest.mark.parametrize("kind", ["paragraph", "standfirst"])
def test_quiz_buttons_reveal_the_cited_answer(env, monkeypatch, kind):
    seed = _quiz_seed(env.bot.holder.library, kind)
    monkeypatch.setattr(secrets, "randbelow", lambda _: seed)
    ex = env.send(env.fake.slash("quiz"))
    assert not ex.ephemeral
    assert "_" in ex.message["embeds"][0]["description"]
    ids = [c for c in ex.custom_ids() if c.startswith("bb:quiz:")]
    assert len(ids) == 4
    replies = [env.send(env.fake.click(i, env.fake._message(ex.messages[0]))) for i in ids]
    right = [r for r in replies if r.message["content"].startswith("Right:")]
    assert len(right) == 1
    assert all(r.ephemeral for r in replies)
    # The citation names the part whose sentence the reply quotes.
    content = right[0].message["content"]
    quote = re.search(r"^> (.{30})", content, re.MULTILINE)
    cited = re.search(rf"\u2014 \*{re.escape(TITLE)}, (.+?)\*", content)
    assert quote and cited, content
    library = env.bot.holder.library
    sources = [p for p in library.passages if quote.group(1) in p.text]
    assert [library.citation(p).locator for p in sources] == [cited.group(1)], content
    wrong = [r for r in replies if r not in right]
    assert all(r.message["content"].startswith("Not quite:") for r in wrong)


def test_a_refresh_that_edits_paragraph_3_reports_one_changed(env, seeds_dir):
    library = env.bot.holder.library
    old_text = library.paragraph(SEED_STEM, 3)[0].text
    source = seeds_dir / f"{SEED_STEM}.txt"
    first_word = old_text.split()[0]
    text = source.read_text(encoding="utf-8")
    assert text.count(old_text[:60]) == 1
    source.write_text(text.replace(old_text[:60], "Today " + old_text[:60], 1), encoding="utf-8")
    ex = env.send(env.fake.slash("reindex", member=MODERATOR))
    content = ex.message["content"]
    assert f"{TITLE}: 0 added, 1 changed, 0 removed (\\~\u00b63)" in content, (content, first_word)


def test_cite_on_an_answer_whose_passage_changed_says_so(env, seeds_dir):
    answer = env.ask(BORDER, results=1)
    source = seeds_dir / f"{SEED_STEM}.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("1,350-kilometre", "1,352-kilometre"), encoding="utf-8")
    env.send(env.fake.slash("reindex", member=MODERATOR))
    ex = env.click(answer, "bb:cite:")
    assert ex.message["embeds"][0]["description"] == say.CHANGED_SINCE.format(locators="\u00b64")
