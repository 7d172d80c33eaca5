"""/brief add, remove and list through the fake Discord: files, links, buttons, two servers,
the audit log."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from fpdf import FPDF

from bot import library_messages as say
from bot import messages
from bot.audit import read
from bot.client import BriefBot, create_bot
from bot.config_file import load_config
from bot.runner import open_holder
from tests.bot.conftest import BotEnv, Exchange, LoopThread
from tests.bot.library_helpers import (
    ADMIN,
    MODERATOR,
    OTHER_GUILD_ID,
    Files,
    attachment,
    brief_command,
    in_guild,
)
from tests.conftest import MODEL_CACHE, SEED_TEXT, SEEDS
from tests.discord_payloads import GUILD_ID, MOD_ROLE_ID, OTHER_ROLE_ID, make_member
from tests.fake_discord import Fake

MOD_LOG_CHANNEL = 900_000_000_000_000_250
MAX_ATTACHMENT = 64 * 1024

MARKDOWN = b"""# Fiji's *new* coastal plan

Fiji will move **forty-two** villages inland by 2030, the \\*new\\* plan says.

The relocation fund is paid for by a levy on [tourist arrivals](https://example.org/levy).

- Each village elects a committee that chooses the new site.
- Families keep title to their old land for fishing.
"""

HTML = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Tuvalu's land reclamation | Island Times</title>
<meta property="og:title" content="Tuvalu's land reclamation">
<meta name="author" content="Ana Tui"><meta property="article:published_time" content="2024-05-02">
</head><body>
<header><nav><a href="/">Home</a> <a href="/subscribe">Subscribe to the Zeppelin newsletter</a>
</nav></header>
<main><article><h1>Tuvalu's land reclamation</h1>
<p>Tuvalu is reclaiming seven hectares of land in Funafuti lagoon with dredged sand,
enough to raise homes above the reach of king tides until the next century.</p>
<figure><img src="a.jpg"><figcaption>A dredger moored off the marmalade wharf.</figcaption>
</figure>
<p>The reclamation is paid for by the Green Climate Fund and built by a Dutch contractor,
who brought the dredgers from Rotterdam in a voyage of four months.</p>
<p>Critics in the Funafuti council worry that the sand will wash away in cyclones unless the
new land is protected by a sea wall that has not yet been funded.</p>
</article></main>
<footer><h3>Related articles</h3><ul><li><a href="/x">Penguins play the xylophone</a></li></ul>
<p>Copyright Island Times</p></footer></body></html>"""

PDF_PAGES = [
    [
        "Kiribati draws its drinking water from thin lenses of fresh water under its atolls.",
        "Droughts and rising seas push salt into these lenses, and wells turn brackish.",
    ],
    [
        "The government plans three solar desalination plants in South Tarawa by 2027.",
        "Each plant will make enough water for four thousand households every day.",
    ],
]


def water_pdf() -> bytes:
    """Two pages with a running header and page numbers; one paragraph per sentence."""
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    pdf.set_creation_date(datetime.datetime(2024, 3, 5, tzinfo=datetime.UTC))
    pdf.set_title("Water for Tarawa")
    for number, paragraphs in enumerate(PDF_PAGES, start=1):
        pdf.add_page()
        pdf.set_xy(72, 40)
        pdf.cell(0, 12, "Pacific Water Review")
        y = 100.0
        for paragraph in paragraphs:
            pdf.set_xy(72, y)
            pdf.cell(0, 12, paragraph)
            y += 40
        pdf.set_xy(290, 800)
        pdf.cell(0, 12, str(number))
    return bytes(pdf.output())


@pytest.fixture
def files(loop_thread: LoopThread) -> Iterator[Files]:
    server = Files()
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def other_seeds(tmp_path: Path) -> Path:
    """The second server's library: one brief of its own."""
    folder = tmp_path / "other-seeds"
    folder.mkdir()
    (folder / "glaciers.txt").write_text(
        "Glaciers of Patagonia\n\nThe Perito Moreno glacier advances across Lago Argentino "
        "and every few years dams the lake until the ice bridge ruptures.\n\nOther glaciers "
        "of the southern ice field retreat by hundreds of metres a year.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def lib_env(
    request: pytest.FixtureRequest,
    fake: Fake,
    loop_thread: LoopThread,
    tmp_path: Path,
    seeds_dir: Path,
    other_seeds: Path,
) -> Iterator[BotEnv]:
    """A bot whose config allows links to 127.0.0.1, posts to a mod log, and gives the
    other server its own library (more `library:` keys by indirect parametrization)."""
    data = {
        "seeds_dir": str(seeds_dir),
        "data_dir": str(tmp_path / "data"),
        "meaning": {"cache_dir": str(MODEL_CACHE)},
        "library": {
            "allow_hosts": ["127.0.0.1"],
            "max_attachment_bytes": MAX_ATTACHMENT,
            "fetch_timeout": 5,
            "mod_log_channel_id": MOD_LOG_CHANNEL,
            **getattr(request, "param", {}),
        },
        "libraries": {
            "other": {
                "guild_ids": [OTHER_GUILD_ID],
                "seeds_dir": str(other_seeds),
                "data_dir": str(tmp_path / "other-data"),
            }
        },
        "discord": {
            "guild_ids": [GUILD_ID],
            "moderator_role_ids": [MOD_ROLE_ID],
            "cooldown_seconds": 0,
        },
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    config = load_config(path)

    async def build() -> BriefBot:
        return create_bot(config, open_holder(config))

    env = BotEnv(fake, loop_thread, loop_thread.run(build()), config)
    env.start()
    yield env
    env.close()


def add_file(
    env: BotEnv, files: Files, name: str, body: bytes, kind: str, **options: Any
) -> Exchange:
    member = options.pop("member", MODERATOR)
    guild_id = options.pop("guild_id", GUILD_ID)
    item = attachment(env.fake, files, name, body, kind)
    payload = brief_command(env.fake, "add", member, guild_id=guild_id, attachment=item, **options)
    return env.send(payload, timeout=60)


def ask(env: BotEnv, question: str, guild_id: int = GUILD_ID, **options: Any) -> Exchange:
    return env.send(in_guild(env.fake.slash("ask", question=question, **options), guild_id))


def test_markdown_html_and_pdf_are_added_and_answer_with_their_citations(lib_env, files):
    ex = add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    text = ex.text()
    assert "Added **Fiji's new coastal plan** (4 paragraphs)" in text, text
    assert "forty-two villages inland" in text  # the first paragraph, rendered
    ex = ask(lib_env, "How many villages will Fiji move inland?")
    answer = ex.text()
    assert "forty-two villages inland by 2030, the \\*new\\* plan says" in answer
    assert "\\\\" not in answer and "**forty-two**" not in answer  # markdown rendered, not raw
    assert "Fiji's new coastal plan, ¶1" in answer

    ex = add_file(lib_env, files, "tuvalu.html", HTML, "text/html")
    report = ex.text()
    assert "Tuvalu's land reclamation" in report and "(3 paragraphs)" in report
    # The figure's caption is not chrome: it is quoted, cited as a caption.
    assert "Left out as page chrome: header, footer." in report and "caption" not in report
    answer = ask(lib_env, "How many hectares is Tuvalu reclaiming in Funafuti lagoon?").text()
    assert "seven hectares" in answer and "¶1" in answer
    answer = ask(lib_env, "What is moored off the marmalade wharf in the photo?").text()
    assert "A dredger moored off the marmalade wharf." in answer
    assert "Tuvalu's land reclamation, photo caption before ¶2" in answer
    for chrome in ("Zeppelin", "xylophone", "Copyright"):
        for question in (f"{chrome}?", "Tuvalu newsletter dredger wharf penguins copyright"):
            assert chrome not in ask(lib_env, question).text()

    ex = add_file(lib_env, files, "water.pdf", water_pdf(), "application/pdf")
    report = ex.text()
    assert "Water for Tarawa" in report
    assert "running header 'Pacific Water Review'" in report
    answer = ask(lib_env, "How many desalination plants are planned in South Tarawa?").text()
    assert "three solar desalination plants" in answer
    assert "Water for Tarawa, p. 2 ¶" in answer
    assert "Pacific Water Review" not in answer


def test_a_link_on_loopback_is_fetched_when_allowed_and_refused_when_not(lib_env, files):
    url = files.put("/news/tuvalu", HTML, "text/html; charset=utf-8")
    ex = lib_env.send(brief_command(lib_env.fake, "add", MODERATOR, url=url), timeout=60)
    assert "Added **Tuvalu's land reclamation**" in ex.text()
    info = next(b for b in lib_env.bot.holder.library.briefs.values() if "Tuvalu" in b.title)
    assert info.url == url and info.date == "2024-05-02" and info.author == "Ana Tui"

    config = lib_env.bot.config
    lib_env.bot.config = replace(config, library=replace(config.library, allow_hosts=()))
    other = files.put("/news/other", MARKDOWN, "text/plain")
    ex = lib_env.send(brief_command(lib_env.fake, "add", MODERATOR, url=other), timeout=30)
    assert "Not fetched: the link points at a private or local address" in ex.text()
    assert len(lib_env.bot.holder.library.briefs) == 2


def test_a_member_is_refused_and_nothing_is_written(lib_env, files, seeds_dir):
    before = sorted(seeds_dir.iterdir())
    member = make_member(roles=(OTHER_ROLE_ID,))
    ex = add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown", member=member)
    assert ex.message["content"] == messages.NOT_MODERATOR
    assert ex.ephemeral
    assert sorted(seeds_dir.iterdir()) == before


@pytest.mark.parametrize(
    ("name", "body", "kind", "expected"),
    [
        ("big.md", b"# Big\n\n" + b"word " * 20_000, "text/markdown", "over the 65,536-byte limit"),
        ("notes.docx", b"PK\x03\x04 not a brief", "application/msword", "must be a .txt, .md"),
        ("fake.pdf", b"<html>not a pdf</html>", "application/pdf", "it is not a PDF"),
    ],
)
def test_oversized_or_unsupported_files_are_refused_with_their_reason(
    lib_env, files, seeds_dir, name, body, kind, expected
):
    before = sorted(seeds_dir.iterdir())
    ex = add_file(lib_env, files, name, body, kind)
    assert expected in ex.text()
    assert "Nothing was added" in ex.text()
    assert sorted(seeds_dir.iterdir()) == before
    assert [e.result.startswith("refused") for e in read(lib_env.config.audit_path)] == [True]


def test_the_same_text_is_reported_not_added_twice(lib_env, files, seeds_dir):
    before = sorted(seeds_dir.iterdir())
    ex = add_file(lib_env, files, "copy.txt", SEED_TEXT.read_bytes(), "text/plain")
    assert "The same text is already in the library" in ex.text()
    assert sorted(seeds_dir.iterdir()) == before


def test_the_same_title_needs_replace_or_keep_both(lib_env, files, seeds_dir):
    add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    changed = MARKDOWN.replace(b"forty-two", b"fifty-one")
    ex = add_file(lib_env, files, "fiji2.md", changed, "text/markdown")
    assert "is already in the library. Replace it with this one, or keep both?" in ex.text()
    assert [c.split(":")[2] for c in ex.custom_ids()] == ["replace", "keep"]
    assert "fifty-one" not in ask(lib_env, "How many villages will Fiji move?").text()

    member_click = lib_env.fake.click(ex.custom_ids()[0], lib_env.fake._message(ex.messages[0]))
    member_click["member"] = make_member(roles=(OTHER_ROLE_ID,))
    assert lib_env.send(member_click).message["content"] == messages.NOT_MODERATOR

    clicked = lib_env.send(
        {
            **lib_env.fake.click(ex.custom_ids()[0], lib_env.fake._message(ex.messages[0])),
            "member": MODERATOR,
        },
        timeout=60,
    )
    assert "Replaced **Fiji's new coastal plan**" in clicked.text()
    answer = ask(lib_env, "How many villages will Fiji move?").text()
    assert "fifty-one" in answer and "forty-two" not in answer
    assert len([p for p in seeds_dir.iterdir() if p.suffix == ".md"]) == 1


def test_keep_both_adds_a_second_brief(lib_env, files):
    add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    ex = add_file(lib_env, files, "fiji2.md", MARKDOWN.replace(b"forty", b"sixty"), "text/markdown")
    clicked = lib_env.send(
        {
            **lib_env.fake.click(ex.custom_ids()[1], lib_env.fake._message(ex.messages[0])),
            "member": MODERATOR,
        },
        timeout=60,
    )
    assert "Added" in clicked.text()
    titles = [b.title for b in lib_env.bot.holder.library.briefs.values()]
    assert titles.count("Fiji's new coastal plan") == 2


def test_remove_needs_its_button(lib_env, files, seeds_dir):
    add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    brief_id = next(b for b in lib_env.bot.holder.library.briefs if b.startswith("fiji"))
    ex = lib_env.send(brief_command(lib_env.fake, "remove", MODERATOR, brief=brief_id))
    assert "This cannot be undone" in ex.text()
    assert brief_id in lib_env.bot.holder.library.briefs  # nothing removed before the click
    assert (seeds_dir / f"{brief_id}.md").is_file()
    clicked = lib_env.send(
        {
            **lib_env.fake.click(ex.custom_ids()[0], lib_env.fake._message(ex.messages[0])),
            "member": MODERATOR,
        },
        timeout=60,
    )
    assert clicked.text() == say.REMOVED.format(title="Fiji's new coastal plan")
    assert brief_id not in lib_env.bot.holder.library.briefs
    assert not (seeds_dir / f"{brief_id}.md").exists()
    assert "forty-two" not in ask(lib_env, "How many villages will Fiji move inland?").text()


def test_two_servers_never_see_each_others_briefs(lib_env, files):
    ex = add_file(
        lib_env, files, "fiji.md", MARKDOWN, "text/markdown", member=ADMIN, guild_id=OTHER_GUILD_ID
    )
    assert "Added" in ex.text()
    fiji = "How many villages will Fiji move inland?"
    assert "forty-two" in ask(lib_env, fiji, OTHER_GUILD_ID).text()
    assert "forty-two" not in ask(lib_env, fiji).text()
    glacier = "Which glacier dams Lago Argentino?"
    assert "Perito Moreno" in ask(lib_env, glacier, OTHER_GUILD_ID).text()
    assert "Perito Moreno" not in ask(lib_env, glacier).text()
    seed = "How long is the border between North Korea and China?"
    assert "Interpreter" not in ask(lib_env, seed, OTHER_GUILD_ID).text()
    listed = lib_env.send(in_guild(brief_command(lib_env.fake, "list", MODERATOR), OTHER_GUILD_ID))
    assert "Glaciers of Patagonia" in listed.text() and "North Korea" not in listed.text()
    # The study tools too answer from the server's own library.
    quiz = lib_env.send(in_guild(lib_env.fake.slash("quiz"), OTHER_GUILD_ID))
    assert "Interpreter" not in quiz.text() and "North Korea" not in quiz.text()


def test_ask_one_brief(lib_env, files):
    add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    fiji = next(b for b in lib_env.bot.holder.library.briefs if b.startswith("fiji"))
    seed = SEED_TEXT.stem
    question = "How many villages will Fiji move inland?"
    assert "forty-two" in ask(lib_env, question, brief=fiji).text()
    only_seed = ask(lib_env, question, brief=seed)
    assert "forty-two" not in only_seed.text()


def test_every_action_is_audited_and_posted_without_mentions(lib_env, files, seeds_dir):
    add_file(lib_env, files, "fiji.md", MARKDOWN, "text/markdown")
    brief_id = next(b for b in lib_env.bot.holder.library.briefs if b.startswith("fiji"))
    ex = lib_env.send(brief_command(lib_env.fake, "remove", MODERATOR, brief=brief_id))
    lib_env.send(
        {
            **lib_env.fake.click(ex.custom_ids()[0], lib_env.fake._message(ex.messages[0])),
            "member": MODERATOR,
        },
        timeout=60,
    )
    lib_env.send(lib_env.fake.slash("reindex", member=MODERATOR), timeout=60)
    entries = read(lib_env.config.audit_path)
    assert [(e.action, e.result.split(":")[0]) for e in entries] == [
        ("add", "ok"),
        ("remove", "ok"),
        ("reindex", "ok"),
    ]
    assert entries[0].brief == brief_id and entries[0].guild == GUILD_ID
    assert entries[0].moderator_id == int(MODERATOR["user"]["id"])
    for line in lib_env.config.audit_path.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == {
            "time",
            "guild",
            "moderator_id",
            "moderator",
            "action",
            "brief",
            "result",
        }
    posts = [
        r.body
        for r in lib_env.fake.requests
        if r.path == f"/channels/{MOD_LOG_CHANNEL}/messages" and r.method == "POST"
    ]
    assert len(posts) == 2
    assert "added" in posts[0]["content"] and "removed" in posts[1]["content"]
    assert all(p["allowed_mentions"] == {"parse": []} for p in posts)


@pytest.mark.parametrize("lib_env", [{"auto_refresh_seconds": 0.2}], indirect=True)
def test_files_changed_on_disk_are_indexed_after_a_quiet_period(lib_env, seeds_dir):
    (seeds_dir / "fiji.md").write_bytes(MARKDOWN)

    async def indexed() -> bool:
        return "fiji" in lib_env.bot.holder.library.briefs

    deadline = time.monotonic() + 30
    while not lib_env.lt.run(indexed()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "forty-two" in ask(lib_env, "How many villages will Fiji move inland?").text()
    entries = read(lib_env.config.audit_path)
    assert [(e.action, e.moderator) for e in entries] == [("reindex", "automatic refresh")]
    assert "added: fiji.md" in entries[0].result


def test_the_seed_still_parses_to_the_same_paragraphs():
    from index.brief_formats import load_brief

    brief = load_brief(SEEDS / SEED_TEXT.name)
    assert len(brief.paragraphs) == 8
