"""Promise 4 (payload half): whatever the question and whatever the brief says, the payloads fit.

Hypothesis builds answers, passages and sources from hostile text (random Unicode,
zero-width and right-to-left characters, Discord markdown, mentions, code fences, up to
Discord's lengths) and checks every payload bot/render.py builds, and every button of an
answer: within Discord's limits (tests/bot/limits.py, written apart from render.py), no
mention left that Discord would parse, markdown from the brief escaped, citation kept.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.cogs.ask import ContextButton, MoreButton, _view
from bot.render import SourceRow, answer_reply, context_reply, passage_reply, sources_reply
from index import Answer, Citation, Hit
from index.about import FACT_BRIEFS, BriefFact
from index.cite import locator
from index.library import BriefInfo
from tests.bot.limits import BUTTON_LABEL, CUSTOM_ID, problems
from tests.strategies import DISCORD_PIECES

SETTINGS = settings(max_examples=150, deadline=None)

# What Discord would turn into a ping or a mention link.
RAW_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)\d+>")
MARKDOWN = set("*_`~|")
LINK = re.compile(r"https?://[^\s<]+")

# Text as a brief or a user might write it; lone surrogates cannot come from either.
PIECES = st.sampled_from([p for p in DISCORD_PIECES if p != "\ud800"])
CHARS = st.characters(blacklist_categories=("Cs",))
HOSTILE = st.one_of(
    st.text(CHARS, max_size=200),
    st.lists(st.one_of(PIECES, st.text(CHARS, max_size=12)), max_size=60).map("".join),
    # Long: a piece repeated up to past the embed description limit.
    st.builds(
        lambda piece, n: (piece * (n // len(piece) + 1))[:n],
        st.one_of(PIECES, st.text(CHARS, min_size=1, max_size=20)),
        st.integers(900, 6000),
    ),
)
# The core never makes a passage of whitespace.
PASSAGE = HOSTILE.filter(lambda t: t.strip())
URLS = st.one_of(
    st.none(),
    st.just("https://www.lowyinstitute.org/the-interpreter/brief"),
    st.builds(lambda n: "https://example.org/" + "a" * n, st.integers(0, 250)),
    HOSTILE,
)


@st.composite
def citations(draw: st.DrawFn) -> Citation:
    paragraph = draw(st.integers(1, 100_000))
    return Citation(
        title=draw(HOSTILE),
        locator=locator(paragraph, draw(st.sampled_from([0, 0, 1, 2, 37]))),
        paragraph=paragraph,
        brief=draw(st.one_of(st.just("interpreter-brief"), HOSTILE)),
        url=draw(URLS),
        publisher=draw(st.one_of(st.none(), HOSTILE)),
    )


@st.composite
def hits(draw: st.DrawFn) -> Hit:
    text = draw(PASSAGE)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    # Mostly a real span of the text; sometimes one the renderer must refuse.
    span = draw(st.one_of(st.just((start, end)), st.tuples(st.integers(-5, 9000), st.integers())))
    return Hit(
        passage_id=f"b:{start}",
        text=text,
        score=1.0,
        citation=draw(citations()),
        coverage=1.0,
        matched=(),
        sentence=span,
    )


def _hit_for_brief(brief: str, paragraph: int = 1) -> Hit:
    cite = Citation("T", locator(paragraph), paragraph, brief)
    return Hit(f"b:{paragraph}", "Text.", 1.0, cite, 1.0, (), (0, 5))


def unescaped(text: str) -> list[tuple[int, str]]:
    """(position, character) of the characters not escaped by a backslash."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        out.append((i, text[i]))
        i += 1
    return out


def markdown_left(quote: str, *, bold_allowed: bool) -> list[str]:
    """Markdown in `quote` that does not come from render.py itself; empty when all escaped.

    Inside a link Discord shows `*` and `_` as they are, and escape_markdown leaves them.
    """
    links = [range(*m.span()) for m in LINK.finditer(quote)]
    marks = [
        (i, c)
        for i, c in unescaped(quote)
        if c in MARKDOWN and not any(i in link for link in links)
    ]
    if bold_allowed:
        # render.py's own **bold** around the best sentence: one or two `**` left (one of them
        # may fall inside a link, where it shows as typed).
        stars = [i for i, c in marks if c == "*"]
        pairs = len(stars) in (2, 4) and all(
            b == a + 1 for a, b in zip(stars[::2], stars[1::2], strict=True)
        )
        if pairs:
            marks = [(i, c) for i, c in marks if c != "*"]
    problems = [f"{c!r} at {i}" for i, c in marks]
    for line in quote.split("\n")[1:]:
        if line.startswith((">", "#")):
            problems.append(f"line starts with {line[:3]!r}")
    return problems


def texts(payload: dict) -> list[str]:
    """Every string of a message a user reads."""
    out = [payload.get("content") or ""]
    for embed in payload.get("embeds") or []:
        out += [embed.get("title", ""), embed.get("description", "")]
        out += (
            (embed.get("footer") or {}).get("text", ""),
            *(s for f in embed.get("fields", []) for s in (f["name"], f["value"])),
        )
    return out


def check_fits_and_pings_nobody(reply) -> dict:
    payload = {"content": reply.content, "embeds": reply.embeds}
    assert problems(payload) == []
    for text in texts(payload):
        assert not RAW_MENTION.search(text), text
    return payload


def check_quote_and_citation(value: str, citation: Citation, *, bold_allowed: bool) -> None:
    """`> quote` then `— citation`: the quote's markdown escaped, the citation there."""
    quote, cite = value.rsplit("\n\u2014 ", 1)
    assert quote.startswith("> ")
    assert markdown_left(quote[2:], bold_allowed=bold_allowed) == []
    assert citation.locator in cite
    label = cite.removeprefix("*").split(f", {citation.locator}")[0].removeprefix("[")
    assert markdown_left(label, bold_allowed=False) == []


@SETTINGS
@given(
    question=HOSTILE,
    found=st.lists(hits(), max_size=10),
    answered=st.booleans(),
    offset=st.sampled_from([0, 0, 1, 3, 5, 9]),
    count=st.integers(1, 5),
)
def test_any_answer_fits_pings_nobody_escapes_and_cites(question, found, answered, offset, count):
    answer = Answer(question, tuple(found), answered)
    payload = check_fits_and_pings_nobody(answer_reply(answer, offset, count))
    shown = found[offset : offset + count] if answered else found[:1]
    if not shown:
        assert payload["content"] and not payload["embeds"]
        return
    fields = payload["embeds"][0]["fields"]
    assert len(fields) == len(shown)
    for field, hit in zip(fields, shown, strict=True):
        check_quote_and_citation(field["value"], hit.citation, bold_allowed=True)
    title = payload["embeds"][0]["title"]
    assert markdown_left(title, bold_allowed=False) == [] if answered else True


@st.composite
def facts(draw: st.DrawFn) -> tuple[BriefFact, ...]:
    """The facts a question asked of one brief or of each of a few, metadata hostile."""
    asked = draw(
        st.lists(
            st.sampled_from(["title", "publisher", "author", "date", "url"]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    value = {"url": URLS}
    titles = draw(st.lists(HOSTILE, min_size=1, max_size=FACT_BRIEFS))
    return tuple(
        BriefFact(f, draw(value.get(f, st.one_of(st.none(), HOSTILE))), f"b{n}", title)
        for n, title in enumerate(titles)
        for f in asked
    )


@SETTINGS
@given(question=HOSTILE, about=facts())
def test_any_facts_of_a_brief_fit_ping_nobody_and_escape(question, about):
    """A brief's metadata (title, publisher, link...) asked for: as hostile as a brief's
    text, it fits Discord, pings nobody, and shows no markdown but render.py's own (a
    plain http(s) link stays a link)."""
    answered = any(f.value is not None for f in about)
    answer = Answer(question, (), answered, about=about)
    payload = check_fits_and_pings_nobody(answer_reply(answer))
    [embed] = payload["embeds"]
    fields = embed["fields"]
    assert [f["name"].split(" \u00b7 ")[0] for f in fields] == [
        messages.FACT_LABELS[f.fact] for f in about
    ]
    for field, fact in zip(fields, about, strict=True):
        if fact.value is None or not fact.value.strip():
            assert field["value"] == messages.FACT_NOT_GIVEN
        elif not (fact.fact == "url" and LINK.fullmatch(field["value"])):
            assert markdown_left(field["value"], bold_allowed=False) == []
        if len({f.brief for f in about}) > 1:  # each field names its brief's title
            brief_title = field["name"].split(" \u00b7 ", 1)[1]
            assert markdown_left(brief_title, bold_allowed=False) == []
    if "*" in embed["description"]:  # the title, in render.py's own italics
        title = embed["description"].split("*", 1)[1].rsplit("*", 1)[0]
        assert markdown_left(title, bold_allowed=False) == []


@SETTINGS
@given(citation=citations(), paragraph=st.lists(PASSAGE, min_size=1, max_size=4))
# Found by this test: markdown inside a masked link was left live by escape_markdown.
@example(citation=Citation("T", "\u00b61", 1, "b"), paragraph=["[x](**bold**) and [0](", "*)"])
def test_any_paragraph_fits_pings_nobody_escapes_and_cites(citation, paragraph):
    payload = check_fits_and_pings_nobody(passage_reply(citation, paragraph))
    embed = payload["embeds"][0]
    check_quote_and_citation(embed["description"], citation, bold_allowed=False)


@SETTINGS
@given(
    citation=citations(),
    paragraphs=st.lists(st.lists(PASSAGE, min_size=1, max_size=3), min_size=1, max_size=3),
)
# Found by this test: a run of backslashes doubled by escaping was cut to an empty field.
@example(citation=Citation("T", "\u00b61", 1, "b"), paragraphs=[["\\" * 1018]])
def test_any_context_fits_pings_nobody_and_escapes(citation, paragraphs):
    numbered = [(n + 1, texts_) for n, texts_ in enumerate(paragraphs)]
    payload = check_fits_and_pings_nobody(context_reply(citation, numbered, 1))
    for field in payload["embeds"][0]["fields"]:
        assert markdown_left(field["value"], bold_allowed=False) == []
    assert citation.locator.split(" ")[0] in payload["embeds"][0]["description"]


@SETTINGS
@given(
    rows=st.lists(
        st.builds(
            SourceRow,
            HOSTILE,
            st.one_of(st.none(), HOSTILE),
            URLS,
            st.integers(0, 10**6),
            st.integers(0, 10**6),
        ),
        max_size=30,
    )
)
# Found by this test: a blank title (metadata `title: "  "`) made a blank field name.
@example(rows=[SourceRow("  ", None, None, 3, 4)])
def test_any_list_of_sources_fits_and_pings_nobody(rows):
    payload = check_fits_and_pings_nobody(sources_reply(rows, "2026-11-28T12:00:00+00:00"))
    for field in payload["embeds"][0]["fields"]:
        assert markdown_left(field["name"], bold_allowed=False) == []


@SETTINGS
@given(
    found=st.lists(
        st.builds(
            _hit_for_brief,
            st.one_of(st.just("interpreter-brief"), HOSTILE, st.text(CHARS, max_size=120)),
            # Body paragraphs, the standfirst (0) and captions (-n) all have Context buttons.
            st.integers(-100_000, 100_000),
        ),
        min_size=1,
        max_size=10,
    ),
    offset=st.sampled_from([0, 3]),
)
# A file name with a line break made a button discord.py refused to build (ValueError).
@example(found=[_hit_for_brief("seed\nbrief"), _hit_for_brief("")], offset=0)
def test_any_answer_has_buttons_discord_accepts_and_the_bot_recognises(found, offset):
    answer = Answer("q", tuple(found), True)
    briefs = {
        h.citation.brief: BriefInfo(h.citation.brief, "T", "", None, None, None, None, "", 9)
        for h in found
    }
    view = _view(answer, briefs, "00112233aa", offset, 3)
    rows = view.to_components() if view else []
    assert len(rows) <= 5
    for row in rows:
        assert len(row["components"]) <= 5
        for button in row["components"]:
            assert len(button["custom_id"]) <= CUSTOM_ID
            assert 0 < len(button["label"]) <= BUTTON_LABEL
            # A click must find its handler again (discord.py fullmatches the templates).
            ctx = ContextButton.__discord_ui_compiled_template__.fullmatch(button["custom_id"])
            more = MoreButton.__discord_ui_compiled_template__.fullmatch(button["custom_id"])
            assert ctx or more, button["custom_id"]
            if ctx:
                assert (ctx["brief"], int(ctx["number"])) in {
                    (h.citation.brief, h.citation.paragraph) for h in found
                }


# -- end to end, through discord.py and the fake Discord ----------------------------------------

# A brief written to break messages: every paragraph mixes words students ask about with
# mentions, markdown (inside masked links too), code fences, backslash runs and RTL text.
HOSTILE_PARAGRAPHS = [
    "Zebras cross the border at night. @everyone <@123> <@&456> <#789> **bold** __under__.",
    "Zebras [see](**this**) and [x](https://evil.example) ```py\nprint('zebras')\n``` ~~gone~~.",
    "Zebras " + "\\" * 1200 + " end of the zebras.",
    "> Zebras quoted \u202e\u05e9\u05dc\u05d5\u05dd \u200b||spoiler|| `code` # heading -# small.",
    " ".join(f"Zebra fact {i} is *short* and _plain_." for i in range(200)),
]


@pytest.fixture
def hostile_bot(start_bot, seeds_dir):
    text = "Hostile zebras\n\nA standfirst.\n\n" + "\n\n".join(HOSTILE_PARAGRAPHS) + "\n"
    (seeds_dir / "hostile.txt").write_text(text, encoding="utf-8")
    (seeds_dir / "hostile.yaml").write_text(
        "title: '@everyone [t](**x**) <@1> zebras'\npublisher: '||p|| @here'\n", encoding="utf-8"
    )
    return start_bot()


def check_exchange(ex) -> None:
    """Every message Discord accepted fits, allows no mention, escapes quotes and cites."""
    assert ex.messages
    for message in ex.messages:
        assert problems(message) == [], message
        assert message["allowed_mentions"] == {"parse": []}
        for text in texts(message):
            assert not RAW_MENTION.search(text), text
        for embed in message.get("embeds") or []:
            # Quotes with their citation: answer fields, or a paragraph's description.
            quoted = [f["value"] for f in embed.get("fields", []) if "\n\u2014 " in f["value"]]
            if embed.get("description", "").startswith("> "):
                quoted.append(embed["description"])
            for value in quoted:
                quote, cite = value.rsplit("\n\u2014 ", 1)
                assert markdown_left(quote.removeprefix("> "), bold_allowed=True) == []
                assert "\u00b6" in cite or "standfirst" in cite
            # The paragraphs of a context view: plain escaped text.
            for field in embed.get("fields", []):
                if field["value"] not in quoted:
                    assert markdown_left(field["value"], bold_allowed=False) == []


QUESTION_WORDS = st.sampled_from(["zebras", "border", "fact", "night", "short", "China", "Kim"])
QUESTIONS = st.lists(st.one_of(PIECES, QUESTION_WORDS, st.text(CHARS, max_size=8)), max_size=40)
E2E = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@E2E
@given(words=QUESTIONS.map(" ".join).filter(lambda q: 0 < len(q.strip()) <= 1000))
def test_any_question_through_discord_gets_a_safe_answer(hostile_bot, words, caplog):
    check_exchange(hostile_bot.ask(words, results=5))
    assert not [r for r in caplog.records if r.name.startswith("bot") and r.levelno >= 40]


@E2E
@given(content=QUESTIONS.map(" ".join).filter(str.strip))
def test_any_message_through_ask_the_brief_gets_a_safe_answer(hostile_bot, content, caplog):
    check_exchange(hostile_bot.send(hostile_bot.fake.message_command("Ask the brief", content)))
    assert not [r for r in caplog.records if r.name.startswith("bot") and r.levelno >= 40]


@pytest.mark.parametrize("number", range(1, len(HOSTILE_PARAGRAPHS) + 1))
def test_hostile_paragraphs_and_their_context_through_discord(hostile_bot, number):
    passage = hostile_bot.send(hostile_bot.fake.slash("passage", number=number, brief="hostile"))
    check_exchange(passage)
    if number == 2:
        assert "\\[see](\\*\\*this\\*\\*)" in passage.text()
    check_exchange(hostile_bot.send(hostile_bot.fake.click(f"bb:ctx:hostile:{number}")))
