"""The numpy engine's index file: round trip, lazy passages, damage, atomic writes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import IndexSettings, Searcher, build_index, load_index, save_index
from index.aliases import GROUP_PREFIX, Aliases
from index.contexts import TokenisedContexts
from index.engine import RankBM25Engine
from index.engine_numpy import NumpyEngine
from index.errors import IndexUnreadable
from index.mapped_backend import is_large
from index.mapped_briefs import _parsed
from tests.conftest import SEEDS

NUMPY = replace(IndexSettings(), engine="numpy")
QUESTION = "Why is China more important to North Korea than Russia?"


@pytest.fixture
def saved(tmp_path):
    index = build_index(SEEDS, NUMPY)
    path = tmp_path / "index.json"
    save_index(index, path)
    return index, path


def test_round_trip(saved, seed_library):
    built, path = saved
    assert is_large(path)
    loaded = load_index(path, NUMPY)
    assert isinstance(loaded.engine, NumpyEngine)
    assert list(loaded.passages) == list(seed_library.passages)
    assert [list(t) for t in loaded.tokens] == [list(t) for t in seed_library.tokens]
    assert loaded.briefs == seed_library.briefs
    assert loaded.sources == built.sources
    got, want = Searcher(loaded).search(QUESTION, 5), Searcher(seed_library).search(QUESTION, 5)
    assert [h.passage_id for h in got.hits] == [h.passage_id for h in want.hits]
    assert [h.citation for h in got.hits] == [h.citation for h in want.hits]
    assert got.answered == want.answered


def test_lookups_without_a_scan(saved, seed_library):
    _, path = saved
    loaded = load_index(path, NUMPY)
    first = seed_library.passages[3]
    assert loaded.passage(first.id) == first
    assert loaded.passage("nope:1") is None
    assert loaded.passage(f"{first.brief}:99") is None
    assert loaded.paragraph(first.brief, first.paragraph) == [first]
    assert loaded.passages[-1] == seed_library.passages[-1]
    assert loaded.passages[1:3] == list(seed_library.passages[1:3])
    assert list(loaded.briefs) == list(seed_library.briefs)
    assert loaded.briefs.get("nope") is None
    assert "nope" not in loaded.briefs and first.brief in loaded.briefs


def test_passages_read_together_are_those_read_one_by_one(saved, seed_library, monkeypatch):
    """A search reads its leading passages together: the same passages, in the order
    asked, the file's guard looked at once for all, and not at all when all were kept (a
    kept passage is a checked copy, as one read alone is returned)."""
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)  # mapped, as a large one
    _, path = saved
    loaded = load_index(path, NUMPY)
    n = len(seed_library.passages)
    ids = [n - 1, 0, 4, 4, 2]
    looks = []
    guard = loaded.passages.briefs.guard
    monkeypatch.setattr(guard, "check", lambda: looks.append(1))
    # Nothing kept, then all kept, then all but one.
    for asked, expected in ((ids, 1), (ids, 0), ([*ids, 3], 1)):
        looks.clear()
        assert loaded.passages.many(asked) == [seed_library.passages[i] for i in asked]
        assert len(looks) == expected
    assert seed_library.passages.many(ids) == [seed_library.passages[i] for i in ids]
    assert loaded.passages.many([]) == []
    for library in (loaded, seed_library):
        for wrong in ([0, n], [-1]):
            with pytest.raises(IndexError):
                library.passages.many(wrong)


def test_a_span_of_passages_looks_at_the_guard_once_a_brief(saved, seed_library, monkeypatch):
    """A refresh reads unchanged briefs' passages as spans: the file's guard is looked at
    once for each brief the span holds (the seed's one brief: once), not again for the
    first."""
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)  # mapped, as a large one
    _, path = saved
    loaded = load_index(path, NUMPY)
    looks = []
    monkeypatch.setattr(loaded.passages.briefs.guard, "check", lambda: looks.append(1))
    n = len(seed_library.passages)
    assert loaded.passages[0:n] == list(seed_library.passages)
    assert len(looks) == len(seed_library.briefs) == 1


def test_reads_kept_stay_within_their_limits_and_equal_fresh_ones(saved, seed_library, monkeypatch):
    """A search reads its leading passages and their briefs more than once, so a few reads
    are kept: each equals a fresh read, and no more are kept than the limit."""
    monkeypatch.setattr("index.mapped_tables._CACHED_PASSAGES", 3)
    monkeypatch.setattr("index.mapped_briefs._CACHED_BRIEFS", 1)
    _, path = saved
    loaded = load_index(path, NUMPY)
    for _ in range(2):  # the second round reads what the first kept, where it was kept
        assert list(loaded.passages) == list(seed_library.passages)
        assert [loaded.passages.brief_of(i) for i in range(len(seed_library.passages))] == [
            p.brief for p in seed_library.passages
        ]
        assert {b: loaded.briefs[b] for b in loaded.briefs} == dict(seed_library.briefs)
    assert 0 < len(loaded.passages._kept) <= 3
    assert 0 < len(loaded.briefs._kept) <= 1


def test_the_last_passages_read_stay_kept_however_full_the_keep_was(saved, monkeypatch):
    """A search reads its ten leading passages for their phrases, then again for its hits:
    the newest reads are kept, whenever the limit is reached (forgetting every kept read
    at the limit lost the first of a search's reads before its hits)."""
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)  # mapped, as a large one
    monkeypatch.setattr("index.mapped_tables._CACHED_PASSAGES", 3)
    _, path = saved
    loaded = load_index(path, NUMPY)
    looks = []
    monkeypatch.setattr(loaded.passages.briefs.guard, "check", lambda: looks.append(1))
    for i in range(7):
        loaded.passages.many([i])
    looks.clear()
    loaded.passages.many([4, 5, 6])  # the three read last: kept, nothing read
    assert looks == []
    loaded.passages.many([3])  # the oldest went first
    assert looks == [1]
    assert list(loaded.passages._kept) == [5, 6, 3]


def test_brief_contexts_kept_by_the_file_are_the_tokenised_ones(saved, seed_library):
    """The file keeps each brief's title and standfirst terms (the word ranker's context),
    alias group terms included, as postings: the same terms, and so the same coverage, as
    tokenising the briefs."""
    _, path = saved
    loaded = load_index(path, NUMPY)
    assert loaded.contexts is not None and seed_library.contexts is None
    aliases = Aliases(seed_library.alias_groups)
    tokenised = TokenisedContexts(seed_library, aliases.index_terms)
    ids = list(range(len(seed_library.passages)))
    vocabulary = sorted(
        {t for b in seed_library.briefs.values() for t in aliases.index_terms(b.title)}
        | {t for p in seed_library.passages for t in aliases.index_terms(p.text)}
    )
    assert any(t.startswith(GROUP_PREFIX) for t in vocabulary)
    kept = loaded.contexts.holds([*vocabulary, "nope", ""], ids)
    assert kept == tokenised.holds([*vocabulary, "nope", ""], ids)
    assert sum(map(sum, kept)) > len(ids)  # titles hold words: not all False
    for question in (QUESTION, "railway Mongolia", "What did Kim Jong-un say about trade?"):
        got, want = Searcher(loaded).search(question), Searcher(seed_library).search(question)
        assert [(h.passage_id, h.coverage) for h in got.hits] == [
            (h.passage_id, h.coverage) for h in want.hits
        ]


def test_a_loaded_library_saved_again_is_the_same_file(saved, tmp_path):
    """Saving a mapped library writes its own passage and brief arrays back as they are."""
    _, path = saved
    loaded = load_index(path, NUMPY)
    again = tmp_path / "again.json"
    save_index(loaded, again)
    reloaded = load_index(again, NUMPY)
    assert list(reloaded.passages) == list(loaded.passages)
    assert dict(reloaded.briefs) == dict(loaded.briefs)
    for name in ("ctx_terms", "ctx_ptr", "ctx_brief"):
        assert reloaded.passages.arrays[name].tolist() == loaded.passages.arrays[name].tolist()


def test_rank_bm25_engine_reads_the_same_file(saved, seed_library):
    _, path = saved
    loaded = load_index(path, replace(NUMPY, engine="rank-bm25"))
    assert isinstance(loaded.engine, RankBM25Engine)
    got, want = Searcher(loaded).search(QUESTION, 3), Searcher(seed_library).search(QUESTION, 3)
    assert [h.passage_id for h in got.hits] == [h.passage_id for h in want.hits]


def test_other_settings_are_refused(saved):
    _, path = saved
    with pytest.raises(IndexUnreadable, match="other settings"):
        load_index(path, replace(NUMPY, k1=1.2))


@pytest.mark.parametrize("keep", [20, 200, -100])
def test_truncated_file_is_unreadable(saved, keep):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    with pytest.raises(IndexUnreadable):
        load_index(path, NUMPY)


def test_written_atomically(saved):
    _, path = saved
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_full_disk_keeps_the_previous_file(saved, monkeypatch):
    import os

    from index.errors import IndexUnwritable

    built, path = saved
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(IndexUnwritable, match="No space left on device"):
        save_index(built, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_aliases_survive_the_large_file(saved):
    built, path = saved
    loaded = load_index(path, NUMPY)
    assert loaded.alias_groups == built.alias_groups != []
    assert Searcher(loaded).search("DPRK PRC border", 1).hits[0].citation.paragraph == 4


def test_text_compressed_by_two_threads_is_the_text_compressed_by_one(monkeypatch):
    """A large library's text blocks are compressed by two threads: the same bytes, in the
    same order, as one thread gives, and each block decompresses to its passages."""
    import numpy as np

    from index import text_blocks

    texts = [f"Passage {i} on the border, {'word ' * (i % 17)}end.".encode() for i in range(3000)]
    blob = b"".join(texts)
    ptr = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
    assert len(texts) >= text_blocks._SHARED_COMPRESSION  # two threads
    shared = text_blocks.compress_blocks(blob, ptr)
    monkeypatch.setattr(text_blocks, "_SHARED_COMPRESSION", 10**9)
    alone = text_blocks.compress_blocks(blob, ptr)
    assert shared[0].tobytes() == alone[0].tobytes() and shared[1].tolist() == alone[1].tolist()
    assert shared[2].tobytes() == alone[2].tobytes() != b""
    text, starts, dictionary = shared
    reader = text_blocks.BlockReader(dictionary.tobytes())
    assert len(starts) == len(texts) + 1
    for i in (0, 1, len(texts) // 2, len(texts) - 1):
        packed = text[starts[i] : starts[i + 1]].tobytes()
        assert reader.decompress(packed, len(texts[i])) == texts[i]


JSON_TEXTS = st.one_of(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    ).map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.text(alphabet=' {}[]":,0123456789.eE+-tfnrulas\\\n', max_size=40),
)


@settings(max_examples=400, deadline=None)
@given(
    text=JSON_TEXTS,
    before=st.sampled_from(["", " ", "\n"]),
    after=st.sampled_from(["", " ", "x", "{}"]),
)
def test_brief_records_are_read_as_json_loads_reads_them(text, before, after):
    """A brief's record is parsed by json's scanner alone when it is one whole value: the
    same value as json.loads, or the same refusal (a ValueError: the file is damaged)."""
    record = before + text + after
    try:
        want: object = json.loads(record)
    except ValueError as exc:
        want = type(exc)
    try:
        got: object = _parsed(record)
    except ValueError as exc:
        got = type(exc)
    assert repr(got) == repr(want)  # repr: NaN equals itself
