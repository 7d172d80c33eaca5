"""Read one brief: its text becomes a title, a standfirst and numbered body paragraphs.

Articles saved from the web carry chrome (site headers, "You may also be
interested in" footers, photo captions printed twice, pull quotes that repeat
a sentence of the body). None of it may ever be quoted as an answer, and
paragraphs are numbered as a reader of the article counts them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from index.errors import UnreadableBrief
from index.tokenize import normalize

BRIEF_SUFFIXES = (".txt", ".md")
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


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph: its number as a reader counts, its text, its span in the source."""

    number: int
    text: str
    start: int
    end: int


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
    captions: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        # Newlines become spaces one for one, so offsets into `text` are offsets into the source.
        return " ".join(self.lines)


def _blocks(text: str) -> list[_Block]:
    """Split on blank lines, keeping each block's character span in `text`."""
    blocks: list[_Block] = []
    for match in re.finditer(r"\S(?:.*\S)?(?:\n[ \t\u00a0]*\S.*)*", text):
        raw = match.group().rstrip()
        blocks.append(_Block(match.start(), match.start() + len(raw), tuple(raw.split("\n"))))
    return blocks


def _key(text: str) -> str:
    """Text reduced to lower-case letters and digits, to spot repeats."""
    return re.sub(r"[\W_]+", " ", normalize(text).casefold()).strip()


def _is_caption(block: _Block) -> bool:
    lines = [line.strip() for line in block.lines]
    if len(lines) > 1 and len({_key(line) for line in lines}) == 1:
        return True  # the same line printed twice: a web caption
    return len(lines) == 1 and bool(_CREDIT.search(lines[0]) or _MD_IMAGE.match(lines[0]))


def _is_standfirst(block: _Block) -> bool:
    return len(block.lines) == 1 and len(block.text) <= _STANDFIRST_MAX_CHARS


def parse_brief(text: str, brief_id: str, *, markdown: bool = False) -> Brief:
    """Structure the text of one brief; raise UnreadableBrief when it has no body."""
    blocks: list[_Block] = []
    for block in _blocks(text):
        plain = normalize(block.text).strip()
        if _FOOTER.match(plain):
            break
        if not _HEADER_CHROME.match(plain):
            blocks.append(block)

    captions = [b for b in blocks if _is_caption(b)]
    rest = [b for b in blocks if not _is_caption(b)]
    headings = [b for b in rest if markdown and _MD_HEADING.match(b.text)]
    title = ""
    if headings:
        title = _MD_HEADING.sub("", headings[0].text)
        rest = [b for b in rest if b not in headings]
    elif rest:
        title = rest.pop(0).text
    standfirst = rest.pop(0).text if len(rest) > 1 and _is_standfirst(rest[0]) else ""

    keys = [_key(b.text) for b in rest]
    body = [
        b
        for i, b in enumerate(rest)
        # A pull quote repeats (part of) another, longer paragraph of the body.
        if not any(j != i and len(k) > len(keys[i]) and keys[i] in k for j, k in enumerate(keys))
    ]
    if not body:
        raise UnreadableBrief("it has no body paragraphs (only a title, chrome or captions)")
    paragraphs = tuple(Paragraph(n, b.text, b.start, b.end) for n, b in enumerate(body, start=1))
    return Brief(
        id=brief_id,
        title=title,
        standfirst=standfirst,
        paragraphs=paragraphs,
        captions=tuple(dict.fromkeys(b.lines[0].strip() for b in captions)),
    )


def read_metadata(path: Path) -> dict[str, str | None]:
    """Read a brief's metadata file; raise UnreadableBrief saying what is wrong with it."""
    try:
        if path.stat().st_size > MAX_METADATA_BYTES:
            raise UnreadableBrief(f"it is over the {MAX_METADATA_BYTES // 1024} KB limit")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableBrief(f"cannot read it ({exc.__class__.__name__})") from exc
    except yaml.YAMLError as exc:
        raise UnreadableBrief(f"it is not valid YAML ({_yaml_where(exc)})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableBrief("it must be a mapping of keys such as title: and url:")
    unknown = sorted(str(k) for k in data if k not in METADATA_KEYS)
    if unknown:
        raise UnreadableBrief(f"unknown key {unknown[0]!r} (allowed: {', '.join(METADATA_KEYS)})")
    out: dict[str, str | None] = {}
    for key in METADATA_KEYS:
        value = data.get(key)
        if isinstance(value, datetime.date):  # YAML reads an unquoted 2023-08-15 as a date
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float):
            raise UnreadableBrief(f"{key} must be text")
        out[key] = None if value in (None, "") else str(value)
    return out


def _yaml_where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "syntax error"


def read_text(path: Path) -> str:
    """Read a brief's text as UTF-8; raise UnreadableBrief for empty, binary or huge files."""
    try:
        size = path.stat().st_size
        if size > MAX_BRIEF_BYTES:
            raise UnreadableBrief(
                f"it is {size / 1_048_576:.0f} MB, over the {MAX_BRIEF_BYTES // 1_048_576} MB limit"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableBrief(f"cannot read it ({exc.strerror or exc.__class__.__name__})") from exc
    if b"\x00" in raw:
        raise UnreadableBrief("it is a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableBrief(f"it is not UTF-8 text (bad byte at offset {exc.start})") from exc
    if not text.strip():
        raise UnreadableBrief("it is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_brief(path: Path, metadata: dict[str, str | None] | None = None) -> Brief:
    """Read and structure the brief at `path`, with its metadata applied when given."""
    text = read_text(path)
    brief = parse_brief(text, path.stem, markdown=path.suffix.lower() == ".md")
    meta = metadata or {}
    return Brief(
        id=brief.id,
        title=meta.get("title") or brief.title or path.stem,
        standfirst=brief.standfirst,
        paragraphs=brief.paragraphs,
        publisher=meta.get("publisher"),
        url=meta.get("url"),
        author=meta.get("author"),
        date=meta.get("date"),
        source=path.name,
        captions=brief.captions,
    )


@dataclass(frozen=True)
class BriefInfo:
    """What the index keeps of a brief besides its passages (no body text)."""

    id: str
    title: str
    standfirst: str
    publisher: str | None
    url: str | None
    author: str | None
    date: str | None
    source: str
    paragraphs: int


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
