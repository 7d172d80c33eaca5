"""Feedback on answers: votes, asked questions and the gaps they reveal, in one SQLite file.

Pure storage (stdlib sqlite3, no discord), safe to call from `asyncio.to_thread`: one
connection guarded by a lock. The schema is versioned with `PRAGMA user_version`;
MIGRATIONS[n] takes a file from version n to n + 1 inside one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from index.stopwords import STOPWORDS

DAY = 86_400.0
DEFAULT_RETENTION_DAYS = 90
SIMILAR = 0.8  # token-set Jaccard at or above which two questions count as one gap
EXAMPLES = 3
VERDICTS = ("answered", "not_covered")


class FeedbackSchemaTooNew(Exception):
    """The file was written by a newer briefbot; we do not downgrade it."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"feedback schema version {found} is newer than {supported}")
        self.found = found
        self.supported = supported


@dataclass(frozen=True)
class Tally:
    """Votes on one answer in one guild."""

    up: int
    down: int


@dataclass(frozen=True)
class SentAnswer:
    """An answer the bot sent: its question and the (passage id, text hash) it quoted."""

    key: str
    question: str
    passages: tuple[tuple[str, str], ...]
    sent_at: float


@dataclass(frozen=True)
class Gap:
    """A question the briefs do not answer well: asked and not covered, or voted down."""

    question: str
    count: int
    down_votes: int
    closest_passage_id: str | None
    examples: tuple[str, ...]


def _v1(db: sqlite3.Connection) -> None:
    """Votes, asked questions and the per-file salt for pseudonymous voter ids."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('salt', ?)", (secrets.token_bytes(32),))
    db.execute(
        """CREATE TABLE votes (
            guild_id INTEGER NOT NULL,
            answer_key TEXT NOT NULL,
            voter TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at REAL NOT NULL,
            PRIMARY KEY (guild_id, answer_key, voter)
        )"""
    )
    db.execute("CREATE INDEX votes_time ON votes (voted_at)")
    db.execute(
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('answered', 'not_covered')),
            closest_passage_id TEXT,
            answer_key TEXT,
            asked_at REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX questions_guild_time ON questions (guild_id, asked_at)")
    db.execute("CREATE INDEX questions_key ON questions (guild_id, answer_key)")


def _v2(db: sqlite3.Connection) -> None:
    """Answers the bot sent, by key: what the Cite, Why and vote buttons act on after a
    restart, and what /cite lists per channel. No user id."""
    db.execute(
        """CREATE TABLE answers (
            guild_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            answer_key TEXT NOT NULL,
            question TEXT NOT NULL,
            passages TEXT NOT NULL,
            public INTEGER NOT NULL,
            sent_at REAL NOT NULL,
            PRIMARY KEY (guild_id, channel_id, answer_key)
        )"""
    )
    db.execute("CREATE INDEX answers_key ON answers (answer_key)")
    db.execute("CREATE INDEX answers_time ON answers (sent_at)")


# MIGRATIONS[n] migrates version n to n + 1; append, never edit a released step.
# An empty file is version 0. To add version 3: write _v3(db) and append it here.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]


def migrate(db: sqlite3.Connection, target: int | None = None) -> int:
    """Bring the file up to `target` (default: the newest version); return the version."""
    steps = MIGRATIONS
    newest = len(steps)
    target = newest if target is None else target
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > newest:
        raise FeedbackSchemaTooNew(version, newest)
    while version < target:
        with _transaction(db):
            steps[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        version += 1
    return version


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (autocommit connections)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def answer_key(question: str, passage_ids: Sequence[str], brief_hash: str) -> str:
    """A short stable id of one answer: the question, the passages quoted, the briefs' hash.

    32 hex characters, so it fits a Discord button's custom_id (100) with room to spare."""
    text = "\x1f".join([" ".join(_terms(question)), ",".join(passage_ids), brief_hash])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _terms(question: str) -> list[str]:
    """The question's words: lower case, no punctuation, no stopwords."""
    words = re.findall(r"[^\W_]+", question.casefold().replace("'", "").replace("\u2019", ""))
    return [w for w in words if w not in STOPWORDS]


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    return bool(a | b) and len(a & b) / len(a | b) >= SIMILAR


class FeedbackStore:
    """Votes and asked questions in the SQLite file at `path`, pruned to `retention_days`."""

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        store_user_ids: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.store_user_ids = store_user_ids
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10
        )
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        migrate(self._db)
        self._salt = bytes(
            self._db.execute("SELECT value FROM meta WHERE key='salt'").fetchone()[0]
        )
        self._purged_at = 0.0
        self.purge()

    def close(self) -> None:
        """Close the file (checkpointing the WAL into it)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _voter(self, user_id: int | str) -> str:
        """The raw id, or an HMAC of it keyed by this file's salt: one vote per user
        still holds, and the id itself is never written."""
        if self.store_user_ids:
            return str(user_id)
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    def _write(self, sql: str, args: Iterable[object]) -> None:
        self._maybe_purge()
        with self._lock:
            self._db.execute(sql, tuple(args))

    def _maybe_purge(self) -> None:
        """Prune once a day as a side effect of writing: no timer thread to manage."""
        if self._clock() - self._purged_at >= DAY:
            self.purge()

    def purge(self) -> int:
        """Delete votes and questions older than the retention period; return how many."""
        now = self._clock()
        cutoff = now - self.retention_days * DAY
        with self._lock, _transaction(self._db):
            gone = self._db.execute("DELETE FROM votes WHERE voted_at < ?", (cutoff,)).rowcount
            gone += self._db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
            gone += self._db.execute("DELETE FROM answers WHERE sent_at < ?", (cutoff,)).rowcount
        self._purged_at = now
        return gone

    def vote(self, guild_id: int, key: str, user_id: int | str, up: bool) -> Tally:
        """Record a user's vote on an answer, replacing their earlier one; return the tally."""
        self._write(
            """INSERT INTO votes VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (guild_id, answer_key, voter)
               DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at""",
            (guild_id, key, self._voter(user_id), 1 if up else -1, self._clock()),
        )
        return self.tally(guild_id, key)

    def tally(self, guild_id: int, key: str) -> Tally:
        """Up and down votes on one answer."""
        with self._lock:
            up, down = self._db.execute(
                """SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0)
                   FROM votes WHERE guild_id = ? AND answer_key = ?""",
                (guild_id, key),
            ).fetchone()
        return Tally(int(up), int(down))

    def record_question(
        self,
        guild_id: int,
        question: str,
        verdict: str,
        closest_passage_id: str | None = None,
        key: str | None = None,
    ) -> None:
        """Log an asked question: `answered` or `not_covered`, and the closest passage."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        self._write(
            "INSERT INTO questions (guild_id, question, verdict, closest_passage_id, answer_key,"
            " asked_at) VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, question, verdict, closest_passage_id, key, self._clock()),
        )

    def remember_answer(
        self,
        guild_id: int,
        channel_id: int,
        key: str,
        question: str,
        passages: Sequence[tuple[str, str]],
        public: bool,
    ) -> None:
        """Keep what an answer quoted (passage ids and text hashes), for its buttons and
        for /cite in its channel; the same answer again only moves its time."""
        self._write(
            """INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (guild_id, channel_id, answer_key) DO UPDATE SET
               sent_at = excluded.sent_at, public = max(public, excluded.public)""",
            (
                guild_id,
                channel_id,
                key,
                question,
                json.dumps([list(p) for p in passages]),
                int(public),
                self._clock(),
            ),
        )

    def answer(self, key: str) -> SentAnswer | None:
        """The answer sent under `key` (any channel), or None when unknown or purged."""
        with self._lock:
            row = self._db.execute(
                "SELECT answer_key, question, passages, sent_at FROM answers"
                " WHERE answer_key = ? ORDER BY sent_at DESC LIMIT 1",
                (key,),
            ).fetchone()
        return _sent(row) if row else None

    def quoted(self, guild_id: int, channel_id: int, since_seconds: float) -> list[SentAnswer]:
        """Public answers sent in one channel in the last `since_seconds`, oldest first."""
        since = self._clock() - since_seconds
        with self._lock:
            rows = self._db.execute(
                """SELECT answer_key, question, passages, sent_at FROM answers
                   WHERE guild_id = ? AND channel_id = ? AND public AND sent_at >= ?
                   ORDER BY sent_at""",
                (guild_id, channel_id, since),
            ).fetchall()
        return [_sent(r) for r in rows]

    def guilds(self) -> list[int]:
        """Every guild with a recorded question, for reports across servers."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT guild_id FROM questions ORDER BY 1").fetchall()
        return [int(r[0]) for r in rows]

    def gaps(self, guild_id: int, since_days: float = 30) -> list[Gap]:
        """Questions not covered or voted down since `since_days` ago, near-duplicates
        grouped, most frequent first."""
        since = self._clock() - since_days * DAY
        with self._lock:
            rows = self._db.execute(
                """SELECT q.question, q.closest_passage_id, q.answer_key,
                          q.verdict = 'not_covered',
                          (SELECT COUNT(*) FROM votes v WHERE v.guild_id = q.guild_id
                             AND v.answer_key = q.answer_key AND v.vote = -1
                             AND v.voted_at >= ?)
                   FROM questions q
                   WHERE q.guild_id = ? AND q.asked_at >= ?
                   ORDER BY q.asked_at DESC, q.id DESC""",
                (since, guild_id, since),
            ).fetchall()
        return _group([r for r in rows if r[3] or r[4]])


def _sent(row: tuple[str, str, str, float]) -> SentAnswer:
    key, question, passages, sent_at = row
    pairs = tuple((str(p[0]), str(p[1])) for p in json.loads(passages))
    return SentAnswer(key, question, pairs, float(sent_at))


def _group(rows: list[tuple[str, str | None, str | None, int, int]]) -> list[Gap]:
    """Group asks whose questions say the same thing; rows come newest first."""
    groups: list[tuple[frozenset[str], list[tuple[str, str | None, str | None, int]]]] = []
    for question, closest, key, _, down in rows:
        terms = frozenset(_terms(question)) or frozenset([question.casefold().strip()])
        for rep, members in groups:
            if _similar(terms, rep):
                members.append((question, closest, key, down))
                break
        else:
            groups.append((terms, [(question, closest, key, down)]))
    gaps = []
    for _, members in groups:
        texts = Counter(m[0] for m in members)
        downs = {m[2]: m[3] for m in members if m[2] is not None}
        nearest = Counter(m[1] for m in members if m[1] is not None)
        gaps.append(
            Gap(
                question=texts.most_common(1)[0][0],
                count=len(members),
                down_votes=sum(downs.values()),
                closest_passage_id=nearest.most_common(1)[0][0] if nearest else None,
                examples=tuple(dict.fromkeys(m[0] for m in members))[:EXAMPLES],
            )
        )
    # Stable sort: among equals, the group asked most recently comes first.
    return sorted(gaps, key=lambda g: (-g.count, -g.down_votes))
