"""What a rebuild changed: paragraphs added, changed and removed per brief, by text hash
(the standfirst as paragraph 0; photo captions are not counted).

Paragraphs are aligned by their texts (difflib on the sequence of hashes), so a paragraph
inserted near the top counts as one added, not as every later paragraph changed.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from index.library import Library
from index.passages import Passage

# Characters of the sha256 hex kept for a passage's text: enough to tell edits apart.
TEXT_HASH_CHARS = 8


@dataclass(frozen=True)
class BriefDiff:
    """Paragraph numbers (new numbering for added and changed, old for removed)."""

    brief: str
    added: tuple[int, ...]
    changed: tuple[int, ...]
    removed: tuple[int, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def text_hash(text: str) -> str:
    """A short, stable hash of a passage's text (to notice later that it changed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:TEXT_HASH_CHARS]


def _paragraphs(library: Library, brief: str) -> list[tuple[int, str]]:
    """(number, hash of the paragraph's text) in order; split paragraphs joined again."""
    texts: dict[int, list[str]] = {}
    passages: Iterable[Passage] = (library.passages[i] for i in library.passages.of_brief(brief))
    for passage in passages:
        if passage.kind == "caption":
            continue  # not a paragraph: its number (-n) says only where it stands
        texts.setdefault(passage.paragraph, []).append(passage.text)
    return [(n, text_hash("\n".join(parts))) for n, parts in texts.items()]


def diff_brief(old: Library, new: Library, brief: str) -> BriefDiff:
    """What changed in the paragraphs of `brief` between two libraries."""
    before, after = _paragraphs(old, brief), _paragraphs(new, brief)
    matcher = difflib.SequenceMatcher(
        a=[h for _, h in before], b=[h for _, h in after], autojunk=False
    )
    added: list[int] = []
    changed: list[int] = []
    removed: list[int] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(a1 - a0, b1 - b0) if op == "replace" else 0
        changed += [after[b][0] for b in range(b0, b0 + pairs)]
        added += [after[b][0] for b in range(b0 + pairs, b1)]
        removed += [before[a][0] for a in range(a0 + pairs, a1)]
    return BriefDiff(brief, tuple(added), tuple(changed), tuple(removed))


def diff_libraries(old: Library, new: Library) -> list[BriefDiff]:
    """Per brief in either library (sorted by id), what changed; unchanged briefs left out."""
    briefs = sorted(set(old.briefs) | set(new.briefs))
    return [d for d in (diff_brief(old, new, b) for b in briefs) if d]
