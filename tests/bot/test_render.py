"""bot/render.py alone, on plain data: escaping, cutting, and every payload within limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import messages
from bot.render import (
    ELLIPSIS,
    SourceRow,
    answer_reply,
    citation_line,
    context_reply,
    cut,
    escape,
    escaped_cut,
    highlighted,
    passage_reply,
    sources_reply,
    text_reply,
)
from index import Answer, Citation, Hit
from tests.bot.limits import problems


def _cite(n=4, title="A brief", url=None, publisher=None):
    return Citation(
        title=title, locator=f"\u00b6{n}", paragraph=n, brief="b", url=url, publisher=publisher
    )


def _hit(text, n=4, sentence=None, **cite):
    return Hit(
        passage_id=f"b:{n}",
        text=text,
        score=1.0,
        citation=_cite(n, **cite),
        coverage=1.0,
        matched=(),
        sentence=sentence or (0, len(text)),
    )


def _payload(reply):
    return {"content": reply.content, "embeds": reply.embeds}


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
        ("<@123> <@!123> <@&456> <#789>", "<@\u200b123> <@!\u200b123> <@&\u200b456> <#\u200b789>"),
        ("**bold** and _it_", "\\*\\*bold\\*\\* and \\_it\\_"),
        ("||spoiler|| `code`", "\\|\\|spoiler\\|\\| \\`code\\`"),
        # escape_markdown alone escapes only the `[` of a masked link, leaving `**` live.
        ("[x](**b**)", "\\[x](\\*\\*b\\*\\*)"),
        ("plain words, 1,350 km", "plain words, 1,350 km"),
    ],
)
def test_escape(raw, shown):
    assert escape(raw) == shown


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short.", 10, "Short."),
        ("One two. Three four five six.", 20, "One two. \u2026"),
        ("One two three four five six seven", 20, "One two three four\u2026"),
        # A sentence end too early would waste the room: cut at a word instead.
        ("A. bbbbbbbbbb cccccccccc dddddddddd", 30, "A. bbbbbbbbbb cccccccccc\u2026"),
        ("x" * 50, 10, "x" * 9 + "\u2026"),
    ],
)
def test_cut(text, limit, expected):
    assert cut(text, limit) == expected


@given(st.text(max_size=3000), st.integers(min_value=0, max_value=2500))
def test_cut_and_escaped_cut_never_exceed_the_limit(text, limit):
    assert len(cut(text, limit)) <= limit
    assert len(escaped_cut(text, limit)) <= limit


def test_best_sentence_is_bold():
    text = "First sentence here. The answer is forty-two. Last one."
    out = highlighted(text, (21, 45), 1000)
    assert out == "First sentence here. **The answer is forty-two.** Last one."


def test_best_sentence_far_in_a_long_passage_is_kept():
    filler = "Filler words that do not answer anything at all. " * 40
    text = filler + "The answer is forty-two. " + filler
    start = len(filler)
    out = highlighted(text, (start, start + 24), 300)
    assert len(out) <= 300
    assert out.startswith(ELLIPSIS + " **The answer is forty-two.**")
    assert out.endswith(ELLIPSIS)


def test_answer_reply_quotes_and_cites_each_hit():
    hits = (
        _hit("North Korea and China share a 1,350-kilometre border.", 4),
        _hit("Still, North Korea wants an alternative.", 5),
    )
    reply = answer_reply(Answer("How long?", hits, True), 0, 3)
    embed = reply.embeds[0]
    assert reply.content == ""
    assert embed["title"] == "How long?"
    assert [f["name"] for f in embed["fields"]] == ["1. \u00b64", "2. \u00b65"]
    assert embed["fields"][0]["value"] == (
        "> North Korea and China share a 1,350-kilometre border.\n\u2014 *A brief, \u00b64*"
    )


def test_not_covered_shows_only_the_marked_closest_match():
    hits = (_hit("Something near.", 2), _hit("Something else.", 3))
    reply = answer_reply(Answer("Capital of France?", hits, False), 0, 3)
    assert reply.content == messages.NOT_COVERED
    assert reply.embeds[0]["title"] == messages.CLOSEST_MATCH
    assert len(reply.embeds[0]["fields"]) == 1


def test_no_hits_and_no_more_hits():
    assert answer_reply(Answer("q", (), False)).content == messages.NO_MATCH
    one = (_hit("Only one.", 1),)
    assert answer_reply(Answer("q", one, True), 3, 3).content == messages.NO_MORE


@pytest.mark.parametrize("count", [1, 3, 5])
def test_huge_hits_fit_and_keep_their_citations(count):
    sentence = "Word " * 2000 + "end."
    hits = tuple(
        _hit(
            "*@everyone* " * 300 + sentence,
            n,
            sentence=(3600, 3700),
            title="T" * 500,
            url="https://example.org/" + "a" * 150,
            publisher="P" * 300,
        )
        for n in range(1, count + 1)
    )
    reply = answer_reply(Answer("Q" * 5000, hits, True), 0, count)
    assert problems(_payload(reply)) == []
    for field in reply.embeds[0]["fields"]:
        assert "\n\u2014 [" in field["value"]
        assert "](https://example.org/" in field["value"]
        assert "@everyone" not in field["value"]


def test_citation_links_only_plain_http_urls():
    plain = "\u2014 *A brief, \u00b64*"
    assert (
        citation_line(_cite(url="https://x.org/a")) == "\u2014 [A brief, \u00b64](https://x.org/a)"
    )
    assert citation_line(_cite(url="javascript:alert(1)")) == plain
    assert citation_line(_cite(url="https://x.org/a) [evil](https://y")) == plain
    # Found by hypothesis: user-info in a link carried "@everyone" into the message.
    assert citation_line(_cite(url="http://@everyone")) == plain
    assert citation_line(_cite(publisher="Pub")) == "\u2014 *A brief, \u00b64* \u00b7 Pub"


def test_passage_reply_of_a_huge_paragraph_fits():
    reply = passage_reply(_cite(7), ["Sentence number one. " * 400, "More text. " * 200])
    description = reply.embeds[0]["description"]
    assert problems(_payload(reply)) == []
    assert description.endswith("\n\u2014 *A brief, \u00b67*")
    assert f"{ELLIPSIS}\n\u2014" in description


def test_context_reply_marks_the_current_paragraph_and_fits():
    paragraphs = [(n, [f"Paragraph {n}. " * 200]) for n in (3, 4, 5)]
    reply = context_reply(_cite(4), paragraphs, 4)
    embed = reply.embeds[0]
    assert [f["name"] for f in embed["fields"]] == ["\u00b63", "\u00b64 (quoted)", "\u00b65"]
    assert problems(_payload(reply)) == []


def test_context_reply_names_the_standfirst_and_captions_as_citations_do():
    paragraphs = [(9, ["Last."]), (-10, ["A photo."])]
    reply = context_reply(_cite(-10), paragraphs, -10, in_brief=9)
    embed = reply.embeds[0]
    assert embed["title"] == "Context of photo caption after \u00b69"
    assert [f["name"] for f in embed["fields"]] == [
        "\u00b69",
        "photo caption after \u00b69 (quoted)",
    ]


def test_sources_reply_caps_the_fields():
    rows = [SourceRow(f"Brief {i} " * 40, "Pub " * 100, None, 8, 9) for i in range(30)]
    reply = sources_reply(rows, "2026-01-01T00:00:00+00:00")
    fields = reply.embeds[0]["fields"]
    assert len(fields) == 25
    assert fields[-1]["value"] == "and 6 more briefs"
    assert problems(_payload(reply)) == []


def test_text_reply_is_cut_to_the_content_limit():
    assert len(text_reply("Skipped a file. " * 500).content) <= 2000


def test_progress_is_said_only_for_a_long_build(monkeypatch):
    """A build that takes a moment says nothing; a long one reports now and then, and its end."""
    from bot import progress
    from index.vectors import Progress

    clock = [0.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    said: list[str] = []
    step = progress.throttled(said.append, 5.0)
    step(Progress(10, 10, 0.5))
    assert said == []  # short: nothing
    said.clear()
    step = progress.throttled(said.append, 5.0)
    for done, at in ((100, 1.0), (200, 6.0), (300, 7.0), (400, 12.0), (500, 13.0)):
        clock[0] = at
        step(Progress(done, 500, at))
    assert len(said) == 3  # at 6 s, at 12 s, and the end
    assert said[0] == "Embedding sentences: 200 of 500 passages (33 a second, about 9 s left)"
    assert said[-1].startswith("Embedding sentences: 500 of 500 passages")
