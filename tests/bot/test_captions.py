"""Photo captions on Discord: quoted and cited as captions (answers, Cite), never taking a
paragraph's number (/passage, Context)."""

from __future__ import annotations

from tests.bot.limits import problems

TITLE = "Can North Korea play off Russia against China?"
PUBLISHER = "The Interpreter, Lowy Institute"
TREATY = "when was the Sino-North Korean friendship treaty signed?"
CAPTION = (
    "Signing Sino-North Korean Mutual Aid and Cooperation Friendship Treaty, 11 July 1961 "
    "(Wikimedia Commons)"
)
CTX_PREFIX = "bb:ctx:interpreter-can-north-korea-play-off-russia-against-china:"


def test_a_caption_is_quoted_and_cited_as_a_caption(env):
    ex = env.ask(TREATY, results=1)
    first = ex.message["embeds"][0]["fields"][0]
    assert first["name"] == "1. photo caption before \u00b66"
    assert CAPTION in first["value"].replace("**", "")
    assert first["value"].endswith(
        f"\u2014 *{TITLE}, photo caption before \u00b66* \u00b7 {PUBLISHER}"
    )
    # Its Context button is the caption's, by the number the index gives it (-6).
    assert [c for c in ex.custom_ids() if c.startswith(CTX_PREFIX)] == [CTX_PREFIX + "-6"]
    assert problems(ex.message) == []


def test_context_of_a_caption_is_the_paragraphs_either_side(env):
    ex = env.ask(TREATY, results=1)
    labels = [
        c["label"]
        for row in ex.messages[0]["components"]
        for c in row["components"]
        if c["custom_id"].startswith(CTX_PREFIX)
    ]
    assert labels == ["Context photo caption before \u00b66"]
    ctx = env.click(ex, CTX_PREFIX)
    embed = ctx.message["embeds"][0]
    assert embed["title"] == "Context of photo caption before \u00b66"
    names = [f["name"] for f in embed["fields"]]
    assert names == ["\u00b65", "photo caption before \u00b66 (quoted)", "\u00b66"]
    assert CAPTION in embed["fields"][1]["value"]
    assert embed["fields"][2]["value"].startswith("But Kim Jong-un will not have it easy")
    assert ctx.ephemeral
    assert problems(ctx.message) == []


def test_context_of_the_standfirst_is_it_and_the_first_paragraph(env):
    ctx = env.send(env.fake.click(CTX_PREFIX + "0"))
    embed = ctx.message["embeds"][0]
    assert embed["title"] == "Context of standfirst"
    assert [f["name"] for f in embed["fields"]] == ["standfirst (quoted)", "\u00b61"]
    assert embed["fields"][1]["value"].startswith("Flanking North Korean leader Kim Jong-un")


def test_cite_names_the_caption_in_every_style(env):
    ex = env.click(env.ask(TREATY, results=1), "bb:cite:")
    fields = {f["name"]: f["value"] for e in ex.message["embeds"] for f in e["fields"]}
    title = "Can North Korea Play Off Russia Against China?"
    mla = "\u201cCan North Korea Play Off Russia against China?\u201d"
    assert f"(*{title}*, n.d., photo caption before para. 6)" in fields["APA 7"]
    assert f"({mla} photo caption before par. 6)" in fields["MLA 9"]
    assert f"({mla} n.d., photo caption before para. 6)" in fields["Chicago (author-date)"]
    notes = fields["Chicago (notes and bibliography)"]
    assert f"{mla} The Interpreter, Lowy Institute, photo caption before par. 6." in notes
    assert "para. -6" not in str(fields) and "par. -6" not in str(fields)


def test_passage_numbers_are_the_body_paragraphs(env):
    embed = env.send(env.fake.slash("passage", number=1)).message["embeds"][0]
    assert embed["description"].startswith("> Flanking North Korean leader Kim Jong-un")
    embed = env.send(env.fake.slash("passage", number=6)).message["embeds"][0]
    assert embed["description"].startswith("> But Kim Jong-un will not have it easy")


def test_a_caption_after_the_last_paragraph_is_named_so_on_its_button():
    from bot.cogs.ask import ContextButton

    assert ContextButton("b", -10, 9).item.label == "Context photo caption after \u00b69"
    assert ContextButton("b", -9, 9).item.label == "Context photo caption before \u00b69"
