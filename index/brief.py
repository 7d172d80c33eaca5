"""Read one brief: its text becomes a title, a standfirst, numbered body paragraphs and
photo captions.

Articles saved from the web carry chrome (site headers, "You may also be
interested in" footers, pull quotes that repeat a sentence of the body). None of it
may ever be quoted as an answer, and paragraphs are numbered as a reader of the
article counts them. Photo captions (often printed twice in a saved page) are kept
apart from the body, once each, with the body paragraph they stand before: they are
quoted as captions, never numbered as paragraphs.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from index.errors import UnreadableBrief
from index.library import BriefInfo
from index.passages import STANDFIRST_NUMBER
from index.safe_files import FileRefused, inside, read_regular
from index.safe_yaml import YamlRefused, echo, load_yaml
from index.tokenize import normalize

METADATA_SUFFIXES = (".yaml", ".yml")
METADATA_KEYS = ("title", "publisher", "url", "author", "date")
MAX_BRIEF_BYTES = 5 * 1024 * 1024
MAX_METADATA_BYTES = 64 * 1024

# Whole blocks that are site chrome, not article text.
_HEADER_CHROME = re.compile(
    r"^(published (daily|weekly|monthly) by .*|share( this( article)?)?|print|email|"
    r"advertisement|subscribe.*|sign up.*|skip to (main )?content)$",
    re.IGNORECASE,
)
# A block that starts the page footer: it and everything after it are dropped.
_FOOTER = re.compile(
    r"^(you may also be interested in|you might also like|related( articles| posts| content)?|"
    r"more from .*|read more|recommended( reading)?|tags?:.*)$",
    re.IGNORECASE,
)
# A one-line block ending in a photo credit, e.g. "(Wikimedia Commons)".
_CREDIT = re.compile(
    r"\((?:[^()]*\b(?:via|photo|image|wikimedia|getty|flickr|reuters|afp|ap|aap|credit)\b[^()]*)\)\s*$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*$")
_STANDFIRST_MAX_CHARS = 300
# A caption with fewer words than this once its credit is taken off ("(Getty Images)",
# "Photo: AP") says nothing to quote: it is left out.
MIN_CAPTION_WORDS = 3
# A pull quote is short; longer repeats are left alone (and the check stays linear).
_PULL_QUOTE_MAX_WORDS = 60


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph: its number as a reader counts, its text, its span in the source."""

    number: int
    text: str
    start: int
    end: int
    page: int = 0  # the PDF page it starts on; 0 for formats without pages


@dataclass(frozen=True)
class Caption:
    """A photo caption as printed (once), its span in the source, and `before`: the number
    of the body paragraph it stands before (one past the last when it ends the brief)."""

    text: str
    start: int
    end: int
    before: int


@dataclass(frozen=True)
class Brief:
    """A brief read from `seeds/`: metadata, title, standfirst and body paragraphs."""

    id: str
    title: str
    standfirst: str
    paragraphs: tuple[Paragraph, ...]
    publisher: str | None = None
    url: str | None = None
    author: str | None = None
    date: str | None = None
    source: str = ""
    captions: tuple[Caption, ...] = field(default=())  # distinct, worth quoting, in order
    standfirst_start: int = -1  # where the standfirst starts in the source; -1 when none
    dropped: tuple[str, ...] = field(default=())  # chrome a reader left out ("nav", "2 images")


def standfirst_paragraph(brief: Brief) -> Paragraph | None:
    """The standfirst as a paragraph numbered STANDFIRST_NUMBER, or None when there is none."""
    if not brief.standfirst or brief.standfirst_start < 0:
        return None
    start = brief.standfirst_start
    return Paragraph(STANDFIRST_NUMBER, brief.standfirst, start, start + len(brief.standfirst))


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    lines: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        # Newlines become spaces one for one, so offsets into `text` are offsets into the source.
        return " ".join(self.lines)

    @cached_property
    def key(self) -> str:
        """The text's _key, made once: pull quotes and captions both compare body blocks."""
        return _key(self.text)


def _blocks(text: str) -> list[_Block]:
    """Split on blank lines, keeping each block's character span in `text`."""
    blocks: list[_Block] = []
    for match in re.finditer(r"\S(?:.*\S)?(?:\n[ \t\u00a0]*\S.*)*", text):
        raw = match.group().rstrip()
        blocks.append(_Block(match.start(), match.start() + len(raw), tuple(raw.split("\n"))))
    return blocks


# Runs of what is not a letter or digit, which _key makes one space.
_NON_WORD = re.compile(r"[\W_]+")
# The same for ASCII text: each such character to a space (str.split then joins the runs).
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def _key(text: str) -> str:
    """Text reduced to lower-case letters and digits, to spot repeats."""
    text = normalize(text).casefold()
    if text.isascii():
        # The same words as the regex below, from str methods: 9 us for a paragraph of 854
        # characters against 33 (reading a brief asks this of every paragraph, twice).
        return " ".join(text.translate(_ASCII_NON_WORD).split())
    return _NON_WORD.sub(" ", text).strip()


def _is_caption(block: _Block) -> bool:
    lines = [line.strip() for line in block.lines]
    if len(lines) > 1 and len({_key(line) for line in lines}) == 1:
        return True  # the same line printed twice: a web caption
    return len(lines) == 1 and bool(_CREDIT.search(lines[0]) or _MD_IMAGE.match(lines[0]))


def _is_standfirst(block: _Block, body: list[_Block]) -> bool:
    """One line right after the title that stands apart from the body: it is shorter
    than the median body paragraph after it, and at least two of those follow.

    A first paragraph as short as the others (one-line briefs) stays paragraph 1.
    """
    if len(block.lines) != 1 or len(block.text) > _STANDFIRST_MAX_CHARS or len(body) < 2:
        return False
    lengths = sorted(len(b.text) for b in body)
    return len(block.text) < lengths[len(lengths) // 2]


def _pull_quotes(blocks: list[_Block]) -> set[int]:
    """Positions of blocks that repeat, word for word, part of a longer block: pull quotes.

    Linear in the words of the text: every run of words of a block is looked up in a
    set of the (short) candidates' word tuples, only where a candidate's first word is.
    """
    words = [tuple(b.key.split()) for b in blocks]
    candidates: dict[tuple[str, ...], list[int]] = {}
    lengths: dict[str, set[int]] = {}  # first word -> lengths of candidates starting with it
    for i, w in enumerate(words):
        if 0 < len(w) <= _PULL_QUOTE_MAX_WORDS:
            candidates.setdefault(w, []).append(i)
            lengths.setdefault(w[0], set()).add(len(w))
    found: set[tuple[str, ...]] = set()
    for w in dict.fromkeys(words):  # a block repeated verbatim is looked through once
        # Where a candidate's first word is, found in C: most words start none.
        for start in itertools.compress(range(len(w)), map(lengths.__contains__, w)):
            for size in lengths[w[start]]:
                run = w[start : start + size]
                # A shorter run only: a block does not quote its own copy.
                if size < len(w) and len(run) == size and run in candidates:
                    found.add(run)
    return {i for quote in found for i in candidates[quote]}


def _caption_words(text: str) -> list[str]:
    """The words of a caption without its photo credit."""
    return _key(_CREDIT.sub("", text)).split()


def _captions(
    blocks: list[_Block], body: list[_Block], others: list[str]
) -> tuple[tuple[Caption, ...], tuple[str, ...]]:
    """The captions worth quoting, each once, with the body paragraph they stand before;
    and the ones left out: a repeat, a credit alone, or words the body (or `others`:
    title, standfirst) already says."""
    haystack = " " + " \n ".join([*map(_key, others), *(b.key for b in body)]) + " "
    starts = [b.start for b in body]
    kept: list[Caption] = []
    left: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        text = block.lines[0].strip()
        key = _key(text)
        if key in seen:
            continue  # printed twice (or again further down): quoted once
        seen.add(key)
        words = _caption_words(text)
        if (
            _MD_IMAGE.match(text)
            or len(words) < MIN_CAPTION_WORDS
            or f" {' '.join(words)} " in haystack
        ):
            left.append(f"caption {text!r}")
            continue
        before = bisect.bisect_left(starts, block.start) + 1
        kept.append(Caption(text, block.start, block.start + len(text), before))
    return tuple(kept), tuple(left)


def parse_brief(
    text: str,
    brief_id: str,
    *,
    markdown: bool = False,
    caption_starts: frozenset[int] = frozenset(),
) -> Brief:
    """Structure the text of one brief; raise UnreadableBrief when it has no body.

    `caption_starts`: where blocks start that a reader knows are captions (an HTML
    figcaption), besides those the text shows (printed twice, ending in a credit).
    """
    blocks: list[_Block] = []
    for block in _blocks(text):
        plain = normalize(block.text).strip()
        if _FOOTER.match(plain):
            break
        if not _HEADER_CHROME.match(plain):
            blocks.append(block)

    is_caption = [b.start in caption_starts or _is_caption(b) for b in blocks]
    captions = [b for b, caption in zip(blocks, is_caption, strict=True) if caption]
    rest = [b for b, caption in zip(blocks, is_caption, strict=True) if not caption]
    headings = [b for b in rest if markdown and _MD_HEADING.match(b.text)]
    title = ""
    if headings:
        title = _MD_HEADING.sub("", headings[0].text)
        rest = [b for b in rest if not (markdown and _MD_HEADING.match(b.text))]
    elif rest:
        title = rest.pop(0).text
    lead = rest.pop(0) if rest and _is_standfirst(rest[0], rest[1:]) else None

    quotes = _pull_quotes(rest)
    body = [b for i, b in enumerate(rest) if i not in quotes]
    if not body:
        raise UnreadableBrief("it has no body paragraphs (only a title, chrome or captions)")
    paragraphs = tuple(Paragraph(n, b.text, b.start, b.end) for n, b in enumerate(body, start=1))
    kept, left = _captions(captions, body, [title, lead.text if lead else ""])
    return Brief(
        id=brief_id,
        title=title,
        standfirst=lead.text if lead else "",
        paragraphs=paragraphs,
        captions=kept,
        standfirst_start=lead.start if lead else -1,
        dropped=left,
    )


def read_metadata(path: Path) -> dict[str, str | None]:
    """Read a brief's metadata file; raise UnreadableBrief saying what is wrong with it."""
    if not inside(path, path.parent):
        raise UnreadableBrief("it is a link to a file outside the seeds folder")
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            raise UnreadableBrief(f"it is over the {MAX_METADATA_BYTES // 1024} KB limit")
        data = load_yaml(path, max_bytes=MAX_METADATA_BYTES)
    except OSError as exc:
        raise UnreadableBrief(f"cannot read it ({exc.__class__.__name__})") from exc
    except YamlRefused as exc:
        raise UnreadableBrief(f"it is not valid YAML ({exc.detail})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableBrief("it must be a mapping of keys such as title: and url:")
    unknown = sorted(str(k) for k in data if k not in METADATA_KEYS)
    if unknown:
        raise UnreadableBrief(
            f"unknown key {echo(unknown[0])} (allowed: {', '.join(METADATA_KEYS)})"
        )
    out: dict[str, str | None] = {}
    for key in METADATA_KEYS:
        value = data.get(key)
        if isinstance(value, datetime.date):  # YAML reads an unquoted 2023-08-15 as a date
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float):
            raise UnreadableBrief(f"{key} must be text")
        out[key] = None if value in (None, "") else str(value)
    return out


def read_raw(path: Path, limit: int = MAX_BRIEF_BYTES) -> bytes:
    """A brief file's bytes; UnreadableBrief for huge files and for anything but a
    regular file inside its folder (links out, FIFOs, devices)."""
    if not inside(path, path.parent):
        raise UnreadableBrief("it is a link to a file outside the seeds folder")
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnreadableBrief(
                f"it is {size / 1_048_576:.0f} MB, over the {limit // 1_048_576} MB limit"
            )
        return read_regular(path, limit)
    except OSError as exc:
        raise UnreadableBrief(f"cannot read it ({exc.strerror or exc.__class__.__name__})") from exc
    except FileRefused as exc:
        raise UnreadableBrief(exc.reason) from exc


def decode_brief(raw: bytes) -> str:
    """A .txt brief's bytes as text; UnreadableBrief for empty, binary or non-UTF-8 ones."""
    if b"\x00" in raw:
        raise UnreadableBrief("it is a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableBrief(f"it is not UTF-8 text (bad byte at offset {exc.start})") from exc
    if not text.strip():
        raise UnreadableBrief("it is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path) -> str:
    """Read a brief's text as UTF-8; raise UnreadableBrief for empty, binary or huge files,
    and for anything but a regular file inside its folder (links out, FIFOs, devices)."""
    return decode_brief(read_raw(path))


def with_metadata(brief: Brief, meta: dict[str, str | None], fallback_title: str) -> Brief:
    """`brief` with the metadata file's values over the document's own."""
    return replace(
        brief,
        title=meta.get("title") or brief.title or fallback_title,
        publisher=meta.get("publisher") or brief.publisher,
        url=meta.get("url") or brief.url,
        author=meta.get("author") or brief.author,
        date=meta.get("date") or brief.date,
    )


def info_of(brief: Brief) -> BriefInfo:
    """The summary of `brief` stored in the index."""
    return BriefInfo(
        id=brief.id,
        title=brief.title,
        standfirst=brief.standfirst,
        publisher=brief.publisher,
        url=brief.url,
        author=brief.author,
        date=brief.date,
        source=brief.source,
        paragraphs=len(brief.paragraphs),
    )
