"""Build an index from the `seeds/` folder, skipping (and reporting) files that cannot be used."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from index.aliases import ALIASES_FILE, read_aliases
from index.backends import backend_for
from index.brief import (
    METADATA_SUFFIXES,
    Brief,
    info_of,
    read_metadata,
)
from index.brief_formats import REASONS, load_brief
from index.draft import Draft
from index.errors import EmptyCorpus, UnreadableBrief
from index.library import BriefInfo, Library, Skipped, SourceStamp
from index.meaning import EncoderUnavailable
from index.passages import Passage
from index.readers import SUFFIXES as BRIEF_SUFFIXES
from index.seeds import restamp, seed_sources
from index.settings import IndexSettings
from index.splitting import passages_of
from index.vectors import Embedder, Progress, SentenceVectors, embed_passages, merged

log = logging.getLogger(__name__)

# Files in seeds/ that are not briefs but configure how they are searched.
RESERVED_NAMES = frozenset({ALIASES_FILE, "README.md"})


def brief_id_of(name: str) -> str:
    """The id of the brief in the file named `name` (as index.seeds.seed_sources names
    files): the name without its extension, e.g. `week1/reading`."""
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem and not stem.endswith("/") else name


def _unchanged(name: str, previous: Library, stamps: dict[str, SourceStamp]) -> bool:
    """True when the brief in file `name` and its metadata read the same as when
    `previous` was built."""
    brief_id = brief_id_of(name)
    info = previous.briefs.get(brief_id)
    if info is None or info.source != name.rpartition("/")[2]:
        return False
    names = [name] + [f"{brief_id}{s}" for s in METADATA_SUFFIXES]
    for one in names:
        old, new = previous.sources.get(one), stamps.get(one)
        if (old is None) != (new is None) or (old and new and old.sha256 != new.sha256):
            return False
    # A metadata file that could not be read is re-read, to report it again.
    return not any(s.file in names for s in previous.skipped)


def _read_brief(path: Path, name: str, skipped: list[Skipped]) -> Brief | None:
    """The brief at `path` (named `name` in the index) with its metadata; None (and the
    reason in `skipped`) when unusable.

    A metadata file that cannot be used is skipped alone: the brief is indexed without it.
    """
    meta_path = next((m for s in METADATA_SUFFIXES if (m := path.with_suffix(s)).is_file()), None)
    metadata = None
    if meta_path is not None:
        try:
            metadata = read_metadata(meta_path)
        except UnreadableBrief as exc:
            meta_name = f"{brief_id_of(name)}{meta_path.suffix}"
            skipped.append(Skipped(meta_name, f"{exc}; indexed the brief without it"))
    try:
        brief_id = brief_id_of(name)
        if brief_id == path.stem:
            return load_brief(path, metadata)
        return load_brief(path, metadata, brief_id)  # a brief in a subfolder
    except UnreadableBrief as exc:
        skipped.append(Skipped(name, str(exc)))
        return None


def _suffix(name: str) -> str:
    """The extension of the file `name`, lower case with its dot ("" when none)."""
    return "." + name.rpartition(".")[2].lower() if "." in name else ""


def _not_a_brief(name: str, ids: set[str]) -> str | None:
    """Why the file `name` is not read as a brief (None: it is one, or it is reserved)."""
    suffix = _suffix(name)
    if name in RESERVED_NAMES:
        return None
    if suffix in METADATA_SUFFIXES:
        return None if brief_id_of(name) in ids else "metadata file with no brief of the same name"
    if suffix not in BRIEF_SUFFIXES:
        return REASONS["unknown-suffix"]  # as a reader refusing the file says it
    return None


def _vectors(
    passages: list[Passage],
    origin: list[int],
    previous: Library | None,
    encoder: Embedder | None,
    settings: IndexSettings,
    progress: Callable[[Progress], None] | None,
) -> SentenceVectors | None:
    """Sentence vectors for the passages: reused from `previous` for unchanged passages
    when made by the same model, embedded for the others; None without an encoder or
    above settings.vectors_up_to (search then makes them for its candidates)."""
    if encoder is None or len(passages) > settings.vectors_up_to:
        return None
    old = previous.vectors if previous is not None else None
    if old is None or old.model != encoder.model_sha256:
        old, origin = None, [-1] * len(passages)
    fresh = [p.text for p, o in zip(passages, origin, strict=True) if o < 0]
    try:
        return merged(old, origin, embed_passages(encoder, fresh, progress))
    except EncoderUnavailable:
        return None  # the encoder logged why; search goes by words alone


def _aliases(seeds_dir: Path) -> tuple[list[list[str]], list[Skipped]]:
    """The alias groups of `seeds_dir`, and the aliases file when it cannot be used."""
    if not (seeds_dir / ALIASES_FILE).is_file():
        return [], []
    try:
        return read_aliases(seeds_dir / ALIASES_FILE), []
    except UnreadableBrief as exc:
        return [], [Skipped(ALIASES_FILE, f"{exc}; searching without aliases")]


def build_index(
    seeds_dir: Path,
    settings: IndexSettings,
    previous: Library | None = None,
    encoder: Embedder | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Library:
    """Read every brief in `seeds_dir` into a fresh library; raise EmptyCorpus when none is usable.

    With `previous` (an index built with the same settings), briefs whose file and
    metadata hash the same are taken from it: only changed briefs are read and tokenised.
    With `encoder`, sentence vectors are made for libraries up to settings.vectors_up_to
    passages (only for changed briefs when `previous` has them), reporting `progress`.
    """
    files = seed_sources(seeds_dir)
    briefs: dict[str, BriefInfo] = {}
    passages: list[Passage] = []
    skipped: list[Skipped] = []
    aliases, alias_skip = _aliases(seeds_dir)
    skipped += alias_skip
    if previous is not None and previous.alias_groups != aliases:
        previous = None  # other aliases: every passage's group terms change
    stamps = {
        n: restamp(p, previous.sources.get(n) if previous else None) for n, p in files.items()
    }
    origin: list[int] = []  # per passage: its position in `previous`, or -1 when read afresh
    ids = {brief_id_of(n) for n in files if _suffix(n) in BRIEF_SUFFIXES}
    for name, path in files.items():
        why = _not_a_brief(name, ids)
        if why:
            skipped.append(Skipped(name, why))
        if why or name in RESERVED_NAMES or _suffix(name) not in BRIEF_SUFFIXES:
            continue
        brief_id = brief_id_of(name)
        if previous and brief_id not in briefs and _unchanged(name, previous, stamps):
            briefs[brief_id] = previous.briefs[brief_id]
            reused = list(previous.passages.of_brief(brief_id))
            if reused and reused[-1] - reused[0] + 1 == len(reused):  # as a build lays them
                passages.extend(previous.passages[reused[0] : reused[-1] + 1])  # one read
            else:
                passages.extend(previous.passages[i] for i in reused)
            origin.extend(reused)
            continue
        brief = _read_brief(Path(path), name, skipped)
        if brief is None:
            continue
        if brief.id in briefs:
            skipped.append(Skipped(name, f"another brief is already named {brief.id!r}"))
            continue
        briefs[brief.id] = info_of(brief)
        fresh = passages_of(brief, settings.max_passage_chars, standfirst=True, captions=True)
        passages.extend(fresh)
        origin.extend([-1] * len(fresh))
    if not passages:
        raise EmptyCorpus(seeds_dir, tuple((s.file, s.reason) for s in skipped))
    draft = Draft(
        settings=settings,
        briefs=briefs,
        passages=passages,
        origin=origin,
        sources=stamps,
        skipped=tuple(skipped),
        alias_groups=aliases,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        vectors=_vectors(passages, origin, previous, encoder, settings, progress),
    )
    return backend_for(settings, len(passages)).assemble(draft, previous)
