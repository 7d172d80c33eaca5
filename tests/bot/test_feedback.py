"""The feedback store: one vote per user, gaps ranked and grouped, retention, privacy."""

from __future__ import annotations

import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot import feedback
from bot.feedback import DAY, FeedbackSchemaTooNew, FeedbackStore, Gap, Tally, answer_key, migrate

GUILD = 111
USER_A = 123456789012345678
USER_B = 876543210987654321
KEY = answer_key("Who backs North Korea?", ["brief:1", "brief:4"], "sha-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with FeedbackStore(tmp_path / "feedback.db", clock=clock) as s:
        yield s


def test_up_then_down_from_one_user_leaves_one_down_vote(store):
    assert store.vote(GUILD, KEY, USER_A, up=True) == Tally(1, 0)
    assert store.vote(GUILD, KEY, USER_A, up=False) == Tally(0, 1)
    assert store.vote(GUILD, KEY, USER_A, up=False) == Tally(0, 1)


def test_two_users_two_votes_and_guilds_apart(store):
    store.vote(GUILD, KEY, USER_A, up=True)
    assert store.vote(GUILD, KEY, USER_B, up=False) == Tally(1, 1)
    assert store.tally(GUILD + 1, KEY) == Tally(0, 0)


def test_answer_key_depends_on_question_passages_and_brief():
    assert answer_key("Who backs North Korea?", ["a:1"], "h") == answer_key(
        "who BACKS north korea", ["a:1"], "h"
    )  # punctuation, case and stopwords do not matter
    others = {
        answer_key("Who backs South Korea?", ["a:1"], "h"),
        answer_key("Who backs North Korea?", ["a:2"], "h"),
        answer_key("Who backs North Korea?", ["a:1"], "h2"),
        answer_key("Who backs North Korea?", ["a:1"], "h"),
    }
    assert len(others) == 4
    assert all(len(k) == 32 for k in others)


def test_not_covered_question_asked_twice_ranks_first(store):
    store.record_question(GUILD, "What is the population of Ulaanbaatar?", "not_covered", "b:3")
    store.record_question(GUILD, "Does Japan have nuclear weapons?", "not_covered", "b:8")
    store.record_question(GUILD, "what is the population of Ulaanbaatar", "not_covered", "b:3")
    store.record_question(GUILD, "Who leads North Korea?", "answered", "b:1")
    gaps = store.gaps(GUILD, since_days=30)
    assert [g.count for g in gaps] == [2, 1]
    assert gaps[0] == Gap(
        question="what is the population of Ulaanbaatar",
        count=2,
        down_votes=0,
        closest_passage_id="b:3",
        examples=(
            "what is the population of Ulaanbaatar",
            "What is the population of Ulaanbaatar?",
        ),
    )
    assert gaps[1].question == "Does Japan have nuclear weapons?"


def test_down_voted_answers_are_gaps_and_up_voted_are_not(store):
    bad = answer_key("Why did China sign?", ["b:2"], "h")
    good = answer_key("Who met Putin?", ["b:4"], "h")
    store.record_question(GUILD, "Why did China sign?", "answered", "b:2", bad)
    store.record_question(GUILD, "Who met Putin?", "answered", "b:4", good)
    store.vote(GUILD, bad, USER_A, up=False)
    store.vote(GUILD, bad, USER_B, up=False)
    store.vote(GUILD, good, USER_A, up=True)
    assert store.gaps(GUILD, 30) == [
        Gap("Why did China sign?", 1, 2, "b:2", ("Why did China sign?",))
    ]


def test_near_duplicates_group_by_jaccard(store):
    # Content words 5 shared of 6 -> Jaccard 0.83, grouped; a different question is not.
    store.record_question(GUILD, "China Russia North Korea alliance 1961", "not_covered")
    store.record_question(GUILD, "China Russia North Korea alliance", "not_covered")
    store.record_question(GUILD, "Japan trade deficit", "not_covered")
    gaps = store.gaps(GUILD, 30)
    assert [g.count for g in gaps] == [2, 1]
    assert gaps[1].question == "Japan trade deficit"


def test_gaps_only_since_the_window_and_per_guild(store, clock):
    store.record_question(GUILD, "Old question about tariffs?", "not_covered")
    clock.now += 10 * DAY
    store.record_question(GUILD, "New question about tariffs and ports?", "not_covered")
    store.record_question(GUILD + 1, "Other guild's question?", "not_covered")
    assert [g.question for g in store.gaps(GUILD, since_days=5)] == [
        "New question about tariffs and ports?"
    ]


def test_retention_deletes_old_rows_on_open_and_daily(tmp_path, clock):
    path = tmp_path / "feedback.db"
    with FeedbackStore(path, retention_days=30, clock=clock) as s:
        s.record_question(GUILD, "Old?", "not_covered")
        s.vote(GUILD, KEY, USER_A, up=False)
        clock.now += 20 * DAY
        s.record_question(GUILD, "Newer question?", "not_covered")
        clock.now += 15 * DAY  # the old rows are 35 days old, the newer 15
        s.record_question(GUILD, "Newest question?", "not_covered")  # a write a day later purges
        assert s.tally(GUILD, KEY) == Tally(0, 0)
        assert [g.question for g in s.gaps(GUILD, 365)] == ["Newest question?", "Newer question?"]
    clock.now += 20 * DAY
    with FeedbackStore(path, retention_days=30, clock=clock) as s:  # on open
        assert [g.question for g in s.gaps(GUILD, 365)] == ["Newest question?"]


def _raw(tmp_path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("feedback.db*"))


@pytest.mark.parametrize("store_ids", [False, True])
def test_user_ids_are_not_stored_unless_enabled(tmp_path, clock, store_ids):
    path = tmp_path / "feedback.db"
    with FeedbackStore(path, store_user_ids=store_ids, clock=clock) as s:
        s.vote(GUILD, KEY, USER_A, up=True)
        s.vote(GUILD, KEY, USER_A, up=False)
        s.vote(GUILD, KEY, USER_B, up=True)
        assert s.tally(GUILD, KEY) == Tally(1, 1)  # one vote per user holds either way
        assert (str(USER_A).encode() in _raw(tmp_path)) is store_ids
    assert (str(USER_A).encode() in _raw(tmp_path)) is store_ids


def test_pseudonyms_differ_between_files(tmp_path, clock):
    voters = []
    for name in ("a.db", "b.db"):
        with FeedbackStore(tmp_path / name, clock=clock) as s:
            s.vote(GUILD, KEY, USER_A, up=True)
        with sqlite3.connect(tmp_path / name) as db:
            voters.append(db.execute("SELECT voter FROM votes").fetchone()[0])
    assert voters[0] != voters[1]  # a per-file salt: votes cannot be linked across files


def test_migrates_an_empty_file_to_the_newest_version(tmp_path):
    path = tmp_path / "feedback.db"
    path.touch()
    with FeedbackStore(path):
        pass
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(feedback.MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "votes", "questions", "answers"}


def test_a_v1_file_keeps_its_data_and_takes_a_v2_step(tmp_path, monkeypatch, clock):
    path = tmp_path / "feedback.db"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db, target=1) == 1
    db.close()
    with FeedbackStore(path, clock=clock) as s:  # opening a v1 file changes nothing
        s.vote(GUILD, KEY, USER_A, up=False)

    def v2(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE questions ADD COLUMN locale TEXT")

    monkeypatch.setattr(feedback, "MIGRATIONS", [*feedback.MIGRATIONS, v2])
    with FeedbackStore(path, clock=clock) as s:
        assert s.tally(GUILD, KEY) == Tally(0, 1)
        s.record_question(GUILD, "Still works?", "not_covered")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(feedback.MIGRATIONS)
        columns = [r[1] for r in raw.execute("PRAGMA table_info(questions)")]
    assert "locale" in columns


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "feedback.db"
    FeedbackStore(path).close()

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(feedback, "MIGRATIONS", [*feedback.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        FeedbackStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(feedback.MIGRATIONS) - 1
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name='half_done'").fetchall()


def test_a_newer_file_is_refused(tmp_path):
    path = tmp_path / "feedback.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(FeedbackSchemaTooNew) as info:
        FeedbackStore(path)
    assert (info.value.found, info.value.supported) == (99, len(feedback.MIGRATIONS))


def test_bad_verdict_is_refused(store):
    with pytest.raises(ValueError, match="verdict"):
        store.record_question(GUILD, "Q?", "maybe")


def test_threads_share_one_store(store):
    def work(user: int) -> None:
        store.vote(GUILD, KEY, user, up=user % 2 == 0)
        store.record_question(GUILD, f"Question number {user} about ports?", "not_covered")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(200)))
    assert store.tally(GUILD, KEY) == Tally(100, 100)
    assert sum(g.count for g in store.gaps(GUILD, 1)) == 200


def test_no_discord_import():
    assert "discord" not in getattr(sys.modules["bot.feedback"], "__dict__", {})
    source = feedback.__file__
    with open(source, encoding="utf-8") as f:
        assert "discord" not in "".join(line for line in f if "import" in line)
