"""Build an index from the `seeds/` folder, skipping (and reporting) files that cannot be used."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from index.aliases import ALIASES_FILE, Aliases, read_aliases
from index.brief import (
    BRIEF_SUFFIXES,
    METADATA_SUFFIXES,
    BriefInfo,
    info_of,
    load_brief,
    read_metadata,
)
from index.errors import EmptyCorpus, SeedsMissing, UnreadableBrief
from index.passages import Passage, indexed_text, passages_of
from index.search import Index, Skipped, SourceStamp
from index.settings import IndexSettings
from index.tokenize import tokenize

log = logging.getLogger(__name__)

# Files in seeds/ that are not briefs but configure how they are searched.
RESERVED_NAMES = frozenset({ALIASES_FILE, "README.md"})


def seed_files(seeds_dir: Path) -> list[Path]:
    """The files of `seeds/` that matter to the index, sorted by name; hidden files are ignored."""
    if not seeds_dir.is_dir():
        raise SeedsMissing(
            f"The seeds folder {seeds_dir} does not exist. Create it and put a brief "
            "(.txt or .md) in it, or set seeds_dir in the config."
        )
    files = sorted(
        p for p in seeds_dir.iterdir() if p.is_file() and not p.name.startswith((".", "~"))
    )
    # A name that is not UTF-8 cannot be stored in the index file nor shown.
    for path in files:
        if not _utf8(path.name):
            log.warning("Ignoring %r in %s: its name is not UTF-8; rename it", path.name, seeds_dir)
    return [p for p in files if _utf8(p.name)]


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stamp(path: Path) -> SourceStamp:
    """Hash and stat `path`, to notice later when it changes; an unreadable file hashes to ""."""
    stat = path.stat()
    try:
        with path.open("rb") as source:
            digest = hashlib.file_digest(source, "sha256").hexdigest()
    except OSError:
        digest = ""  # the build skips it and says why; a change of size or mtime is still seen
    return SourceStamp(sha256=digest, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def build_index(seeds_dir: Path, settings: IndexSettings) -> Index:
    """Read every brief in `seeds_dir` into a fresh Index; raise EmptyCorpus when none is usable."""
    files = seed_files(seeds_dir)
    briefs: dict[str, BriefInfo] = {}
    passages: list[Passage] = []
    skipped: list[Skipped] = []
    aliases: list[list[str]] = []
    if (seeds_dir / ALIASES_FILE).is_file():
        try:
            aliases = read_aliases(seeds_dir / ALIASES_FILE)
        except UnreadableBrief as exc:
            skipped.append(Skipped(ALIASES_FILE, f"{exc}; searching without aliases"))
    stems = {p.stem for p in files if p.suffix.lower() in BRIEF_SUFFIXES}
    for path in files:
        suffix = path.suffix.lower()
        if path.name in RESERVED_NAMES:
            continue
        if suffix in METADATA_SUFFIXES:
            if path.stem not in stems:
                skipped.append(Skipped(path.name, "metadata file with no brief of the same name"))
            continue
        if suffix not in BRIEF_SUFFIXES:
            skipped.append(Skipped(path.name, "not a brief: briefs are .txt or .md files"))
            continue
        try:
            meta_path = next(
                (m for s in METADATA_SUFFIXES if (m := path.with_suffix(s)).is_file()), None
            )
            try:
                metadata = read_metadata(meta_path) if meta_path else None
            except UnreadableBrief as exc:
                assert meta_path is not None
                skipped.append(Skipped(meta_path.name, f"{exc}; indexed the brief without it"))
                metadata = None
            brief = load_brief(path, metadata)
        except UnreadableBrief as exc:
            skipped.append(Skipped(path.name, str(exc)))
            continue
        if brief.id in briefs:
            skipped.append(Skipped(path.name, f"another brief is already named {brief.id!r}"))
            continue
        briefs[brief.id] = info_of(brief)
        passages.extend(passages_of(brief, settings.max_passage_chars))
    if not passages:
        why = (
            "; ".join(f"{s.file}: {s.reason}" for s in skipped)
            or "the folder has no .txt or .md file"
        )
        raise EmptyCorpus(f"No usable brief in {seeds_dir} ({why}).")
    annotate = Aliases(aliases).annotate
    return Index(
        settings=settings,
        briefs=briefs,
        passages=passages,
        tokens=[annotate(tokenize(indexed_text(passages, i))) for i in range(len(passages))],
        sources={p.name: stamp(p) for p in files},
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        skipped=tuple(skipped),
        alias_groups=aliases,
    )
