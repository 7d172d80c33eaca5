"""Index integrity (issue 12 items 1-3): a damaged or altered index file is refused with
IndexUnreadable, at load or when a passage is read; it never raises anything else, and a
damaged passage is never quoted. Both formats, both ways of reading a mapped file."""

from __future__ import annotations

import itertools
import json
import struct
import subprocess
import sys
import threading
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import seed_briefs
from index import IndexSettings, Searcher, build_index, load_index, save_index
from index.errors import IndexUnreadable
from index.library import Library
from index.mapped_check import FileGuard, _longest_step
from tests.conftest import SEED_TEXT, SEEDS

NUMPY = replace(IndexSettings(), engine="numpy")
JSON = replace(IndexSettings(), engine="rank-bm25")
QUESTIONS = (
    "How long is the border between China and North Korea?",
    "Why is China more important to North Korea than Russia?",
    "Who did Kim Jong-un host at the parade in Pyongyang?",
)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def libraries() -> dict[str, Library]:
    return {"mapped": build_index(SEEDS, NUMPY), "json": build_index(SEEDS, JSON)}


@pytest.fixture(scope="module")
def files(libraries, tmp_path_factory) -> dict[str, bytes]:
    out = {}
    for name, library in libraries.items():
        path = tmp_path_factory.mktemp(name) / "index.json"
        save_index(library, path)
        out[name] = path.read_bytes()
    return out


@pytest.fixture(params=["whole", "mapped"])
def read_as(request, monkeypatch) -> str:
    """Mapped files read whole (all checksums at load) or mapped (checked when read)."""
    if request.param == "mapped":
        monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)
    return request.param


def outcome(path: Path, settings: IndexSettings, truth: Library) -> str:
    """'refused' or 'correct'; a wrong quote or citation fails the test, as does any other
    exception (it propagates)."""
    try:
        library = load_index(path, settings)
        searcher = Searcher(library)
        hits = [h for q in QUESTIONS for h in searcher.search(q).hits]
        passages = list(library.passages)
    except IndexUnreadable:
        return "refused"
    for hit in hits:
        real = truth.passage(hit.passage_id)
        assert real is not None and hit.text in real.text
        assert hit.citation == truth.citation(real)
    assert passages == list(truth.passages)
    return "correct"


def _manifest(raw: bytes) -> tuple[int, dict]:
    (size,) = struct.unpack_from("<Q", raw, 16)
    return size, json.loads(raw[28 : 28 + size])


def _with_manifest(raw: bytes, manifest: dict) -> bytes:
    """`raw` with another manifest of the same length, its checksum recomputed."""
    size, _ = _manifest(raw)
    body = json.dumps(manifest, separators=(",", ":")).encode()
    body = body.ljust(size, b" ")
    assert len(body) == size
    return raw[:16] + struct.pack("<QI", size, zlib.crc32(body)) + body + raw[28 + size :]


def _array(raw: bytearray, name: str) -> np.ndarray:
    size, manifest = _manifest(bytes(raw))
    spec = manifest["arrays"][name]
    start = -(-(28 + size) // 64) * 64
    count = int(np.prod(spec["shape"]))
    return np.frombuffer(raw, dtype=spec["dtype"], count=count, offset=start + spec["offset"])


def test_a_passage_longer_than_the_settings_allow_is_refused(files, libraries, read_as, tmp_path):
    # Found by the bit-flip test: the last text offset is checked against nothing else, and
    # a block's decode buffer is sized from it (a flipped high bit: a terabyte, MemoryError).
    for longer in (1 << 40, 4 * NUMPY.max_passage_chars + 1):
        raw = bytearray(files["mapped"])
        _array(raw, "text_ptr")[-1] += longer
        path = tmp_path / "index.json"
        path.write_bytes(raw)
        assert outcome(path, NUMPY, libraries["mapped"]) == "refused"


def test_the_longest_passage_is_found_a_chunk_at_a_time():
    # Chunked so that no 8 MB of differences outlive a 10^6-passage load in RSS.
    rng = np.random.default_rng(7)
    for n in (2, 3, 8, 9, 1000):
        ptr = np.concatenate(([0], np.cumsum(rng.integers(0, 5000, n - 1)))).astype("<i8")
        for chunk in (1, 2, 7, 1 << 16):
            assert _longest_step(ptr, chunk) == int(np.diff(ptr).max())


def test_the_issue_repro_every_post_doc_a_million(files, libraries, read_as, tmp_path):
    raw = bytearray(files["mapped"])
    _array(raw, "post_doc")[:] = 1_000_000
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    with pytest.raises(IndexUnreadable, match=r"post_doc|checksum"):
        load_index(path, NUMPY)


def test_a_negative_post_doc_does_not_wrap_around(files, read_as, tmp_path):
    raw = bytearray(files["mapped"])
    _array(raw, "post_doc")[5] = -1
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    with pytest.raises(IndexUnreadable):
        load_index(path, NUMPY)


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("ctx_brief", lambda a: a.__setitem__(0, 7)),  # a brief the file does not hold
        ("ctx_brief", lambda a: a.__setitem__(0, -1)),
        ("ctx_ptr", lambda a: a.__setitem__(1, a[-1] + 1)),  # past the end
        ("ctx_terms", lambda a: a.__setitem__(slice(None), a[::-1].copy())),  # out of order
    ],
)
def test_damaged_brief_contexts_are_refused(name, edit, files, read_as, tmp_path):
    """The postings of the briefs' titles are checked at load like the passages': a
    coverage read from them can never index out of bounds."""
    raw = bytearray(files["mapped"])
    edit(_array(raw, name))
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    with pytest.raises(IndexUnreadable, match=rf"{name}|checksum"):
        load_index(path, NUMPY)


@pytest.fixture(scope="module")
def with_dictionary(tmp_path_factory) -> tuple[Library, bytes]:
    """A mapped library of four briefs made from the seed (text enough for its blocks'
    dictionary: the seed's own is too small for one), and its file."""
    seeds = tmp_path_factory.mktemp("seeds")
    seed_briefs(SEED_TEXT.read_text(encoding="utf-8"), 4, seeds)
    library = build_index(seeds, NUMPY)
    path = tmp_path_factory.mktemp("dictionary") / "index.json"
    save_index(library, path)
    return library, path.read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.__setitem__(slice(8, 200), 0),  # the header of a trained dictionary
        lambda d: d.__setitem__(slice(len(d) // 2, None), 0),  # its content
        lambda d: d.__setitem__(slice(None), d[::-1].copy()),
    ],
)
def test_a_damaged_text_dictionary_is_refused_or_harmless(
    damage, with_dictionary, read_as, tmp_path
):
    """The blocks decode through the file's dictionary: a damaged one makes them fail to
    decode or fail their passages' checksums: refused, never a wrong quote."""
    truth, raw = with_dictionary
    edited = bytearray(raw)
    dictionary = _array(edited, "text_dict")
    assert dictionary.size > 1000
    damage(dictionary)
    path = tmp_path / "index.json"
    path.write_bytes(edited)
    # outcome() fails on a wrong quote or citation, and on any error but IndexUnreadable.
    assert outcome(path, NUMPY, truth) == "refused"


def zstd(level: int, dictionary: bytes) -> zstandard.ZstdCompressor:
    """A compressor writing frames as the index does (their size, no checksum or dictionary
    id)."""
    return zstandard.ZstdCompressor(
        level=level,
        dict_data=zstandard.ZstdCompressionDict(dictionary) if dictionary else None,
        write_checksum=False,
        write_content_size=True,
        write_dict_id=False,
    )


def edit_text(raw: bytes, old: bytes, new: bytes) -> bytes:
    """The mapped file with `old` replaced in its compressed text blocks (format 8), each
    edited block recompressed into its old place, as a deliberate edit would."""
    out = bytearray(raw)
    text, blocks = _array(out, "text"), _array(out, "text_block").tolist()
    dictionary = _array(out, "text_dict").tobytes()
    words = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
    edited = 0
    for lo, hi in itertools.pairwise(blocks):
        plain = zstandard.ZstdDecompressor(dict_data=words).decompress(
            text[lo:hi].tobytes(), 1 << 20
        )
        if old in plain:
            edit = plain.replace(old, new)
            packed = min((zstd(lv, dictionary).compress(edit) for lv in range(1, 20)), key=len)
            assert len(packed) <= hi - lo
            text[lo:hi] = np.frombuffer(packed.ljust(hi - lo, b"\0"), dtype=np.uint8)
            edited += 1
    assert edited >= 1
    return bytes(out)


@pytest.mark.parametrize("fmt", ["mapped", "json"])
def test_an_edited_figure_is_never_quoted(fmt, files, libraries, read_as, tmp_path):
    raw = files[fmt]
    path = tmp_path / "index.json"
    if fmt == "mapped":
        path.write_bytes(edit_text(raw, b"1,350", b"9,350"))
    else:
        assert raw.count(b"1,350") >= 1
        path.write_bytes(raw.replace(b"1,350", b"9,350"))
    settings = NUMPY if fmt == "mapped" else JSON
    with pytest.raises(IndexUnreadable, match="checksum"):
        library = load_index(path, settings)
        Searcher(library).search(QUESTIONS[0])


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
@pytest.mark.parametrize("fmt", ["mapped", "json"])
def test_a_flipped_bit_is_refused_or_harmless(fmt, data, files, libraries, read_as, tmp_path):
    raw = bytearray(files[fmt])
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= 1 << data.draw(st.integers(0, 7))
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    outcome(path, NUMPY if fmt == "mapped" else JSON, libraries[fmt])


def test_bit_flips_anywhere_are_caught(files, libraries, read_as, tmp_path):
    """Not a sample: a flip in each of 300 spread-out bytes, each refused or harmless. Read
    whole, harmless only in the padding between arrays; mapped, a flip in a score or a
    term id may also go unseen (structure still holds), never one in a passage."""
    raw = files["mapped"]
    path = tmp_path / "index.json"
    counts = {"refused": 0, "correct": 0}
    for at in range(0, len(raw), max(1, len(raw) // 300)):
        flipped = bytearray(raw)
        flipped[at] ^= 0x10
        path.write_bytes(flipped)
        counts[outcome(path, NUMPY, libraries["mapped"])] += 1
    share = 0.9 if read_as == "whole" else 0.3
    assert counts["refused"] > share * sum(counts.values())


VALUES = st.one_of(
    st.integers(-(2**40), 2**40),
    st.sampled_from(["<i8", "<i4", "|u1", "<f4", "|S3", "O", ">i8", "<U4", "|V8", "x", ""]),
    st.lists(st.integers(-5, 10**7), max_size=3),
    st.none(),
    st.floats(allow_nan=True),
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_crafted_manifest_is_refused_or_harmless(data, files, libraries, read_as, tmp_path):
    raw = files["mapped"]
    _, manifest = _manifest(raw)
    name = data.draw(st.sampled_from(sorted(manifest["arrays"])))
    key = data.draw(st.sampled_from(["dtype", "shape", "offset", "crc"]))
    manifest["arrays"][name][key] = data.draw(VALUES)
    if data.draw(st.booleans()):
        del manifest["arrays"][data.draw(st.sampled_from(sorted(manifest["arrays"])))]
    try:
        crafted = _with_manifest(raw, manifest)
    except AssertionError:
        return  # longer than the original manifest: not this test's business
    path = tmp_path / "index.json"
    path.write_bytes(crafted)
    outcome(path, NUMPY, libraries["mapped"])


def test_json_index_with_an_unknown_top_level_key_is_refused(files, tmp_path):
    document = json.loads(files["json"])
    document["padding"] = "x" * 1000
    path = tmp_path / "index.json"
    path.write_text(json.dumps(document))
    with pytest.raises(IndexUnreadable, match="unknown key 'padding'"):
        load_index(path, JSON)


OVERWRITE = """
import shutil, sys
from dataclasses import replace
from pathlib import Path
import index.mapped_backend as mb
from index import IndexSettings, Searcher, load_index
from index.errors import IndexUnreadable
mb.FULL_CHECK_BYTES = 0  # map it, as a large index is
path, other = Path(sys.argv[1]), Path(sys.argv[2])
searcher = Searcher(load_index(path, replace(IndexSettings(), engine="numpy")))
print(searcher.search("border China North Korea").hits[0].passage_id)
shutil.copyfile(other, path)  # in place, as `cp other index.json` does: same inode
library = searcher.library
reads = {
    "search": lambda: searcher.search("Why is China more important to North Korea than Russia?"),
    "brief by id": lambda: library.briefs.get("no-such-brief"),
    "brief ids": lambda: list(library.briefs),
    "passages": lambda: library.passages[0 : len(library.passages)],
    # All of them: the first search kept a few (a kept passage is a copy, read from nothing).
    "passages together": lambda: library.passages.many(range(len(library.passages))),
}
try:
    reads[sys.argv[3]]()
except IndexUnreadable as exc:
    print("refused:", exc)
"""


@pytest.mark.parametrize(
    "read", ["search", "brief by id", "brief ids", "passages", "passages together"]
)
def test_overwritten_in_place_while_served_is_refused_not_sigbus(read, files, tmp_path):
    path, other = tmp_path / "index.json", tmp_path / "other.json"
    path.write_bytes(files["mapped"])
    other.write_bytes(b"{}\n")  # far shorter: the mapping's pages are past its end now
    result = subprocess.run(
        [sys.executable, "-c", OVERWRITE, str(path), str(other), read],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr  # SIGBUS would be -7
    assert "refused: another program changed the file in place" in result.stdout


def _served(files: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The seed's mapped file, mapped as a large index is (its guard on the descriptor)."""
    path = tmp_path / "index.json"
    path.write_bytes(files["mapped"])
    monkeypatch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)
    library = load_index(path, NUMPY)
    assert library.guard is not None
    return library


def test_a_search_looks_at_the_file_once_and_a_read_outside_one_each_time(
    files, tmp_path, monkeypatch
):
    library = _served(files, tmp_path, monkeypatch)
    looks: list[int] = []
    real = FileGuard._now
    monkeypatch.setattr(FileGuard, "_now", lambda guard: looks.append(1) or real(guard))
    searcher = Searcher(library)
    for question in QUESTIONS:  # each reads the vocabulary, postings, passages and briefs
        looks.clear()
        assert searcher.search(question).hits
        assert len(looks) == 1
        looks.clear()
        searcher.trace(question)
        assert len(looks) == 1
    looks.clear()
    assert library.briefs.get("no-such-brief") is None
    assert library.briefs.get("nor-this-one") is None
    assert len(looks) == 2


def test_a_search_on_one_thread_leaves_the_reads_of_others_checked(files, tmp_path, monkeypatch):
    """A file overwritten in place during one thread's search: that search goes on with
    the look it began with; another thread's read, and the next search, are refused."""
    library = _served(files, tmp_path, monkeypatch)
    guard = library.guard
    assert isinstance(guard, FileGuard)
    changed, asked = threading.Event(), threading.Event()
    other: list[str] = []

    def read_elsewhere() -> None:
        changed.wait(10)
        try:
            guard.check()
            other.append("read")
        except IndexUnreadable:
            other.append("refused")
        asked.set()

    thread = threading.Thread(target=read_elsewhere)
    thread.start()
    with library.reading():
        (tmp_path / "index.json").write_bytes(b"{}\n")  # in place: the same inode
        changed.set()
        assert asked.wait(10)
        guard.check()  # this thread's search relies on the look it began with
    thread.join()
    assert other == ["refused"]
    with pytest.raises(IndexUnreadable, match="in place"):
        guard.check()
    with pytest.raises(IndexUnreadable, match="in place"), library.reading():
        pass
    with pytest.raises(IndexUnreadable, match="in place"):  # a refused look leaves none open
        guard.check()
