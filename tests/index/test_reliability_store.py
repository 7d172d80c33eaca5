"""Promises 1 and 3: the serving index is never lost, and a damaged index file is recognised.

A refresh that fails (killed mid-write, a writer that raises, a full disk, no usable
brief) leaves the previous index file byte for byte, loadable and answering the same.
A damaged index file of any shape is IndexUnreadable, never a traceback, and
`open_index` rebuilds it from seeds/.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import IndexSettings, Searcher, build_index, load_index, open_index, rebuild, save_index
from index.errors import EmptyCorpus, IndexUnreadable, IndexUnwritable
from tests.conftest import encoder

QUESTIONS = ["border length", "Shoigu letter Putin", "no limits partnership", "1961 treaties"]
TMP_GLOB = ".index.json.*.tmp"


def answers(index):
    return {
        q: [h.passage_id for h in Searcher(index, encoder=encoder()).search(q, 5).hits]
        for q in QUESTIONS
    }


@pytest.fixture
def served(seeds_dir, tmp_path):
    """An index file built from the real seed: (path, its bytes, its answers)."""
    path = tmp_path / "data" / "index.json"
    index = rebuild(seeds_dir, path, IndexSettings(), encoder=encoder())
    return path, path.read_bytes(), answers(index)


def assert_still_served(path, before, expected):
    assert path.read_bytes() == before
    assert answers(load_index(path, IndexSettings())) == expected


def generate_briefs(seeds: Path, count: int, paragraphs: int) -> list[Path]:
    """Many made-up briefs, so that writing their index takes a noticeable moment."""
    rng = random.Random(6)
    vocab = [f"term{i}" for i in range(3000)]
    made = []
    for number in range(count):
        body = "\n\n".join(" ".join(rng.choices(vocab, k=60)) + "." for _ in range(paragraphs))
        path = seeds / f"generated-{number:03d}.txt"
        path.write_text(f"Generated brief {number}\n\n{body}\n", encoding="utf-8")
        made.append(path)
    return made


# -- 1. the serving index is never lost ----------------------------------------------------


def kill_while_writing(path: Path, config: Path) -> tuple[Path, int]:
    """Start `briefbot index` and kill it (SIGKILL) once its new index file is being
    written; the temporary file it was writing, and how the process ended."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "index"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    partial = None
    try:
        deadline = time.monotonic() + 30
        while partial is None and proc.poll() is None and time.monotonic() < deadline:
            for candidate in path.parent.glob(TMP_GLOB):
                try:
                    if candidate.stat().st_size > 0:  # the new index is being written
                        partial = candidate
                except FileNotFoundError:  # renamed into place between glob and stat
                    pass
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert partial is not None, "the index was written before it could be killed; make it bigger"
    return partial, proc.returncode


def test_killed_while_writing_leaves_the_old_index(served, seeds_dir, config_file):
    path, before, expected = served
    generated = generate_briefs(seeds_dir, 120, 30)
    for _ in range(3):
        partial, ended = kill_while_writing(path, config_file)
        if partial.exists() or path.read_bytes() == before:
            assert ended == -signal.SIGKILL
            break
        # On a loaded machine the writer can finish and swap its file in between the look
        # that saw it and the kill: that is the promise kept, not tested. The old index
        # back (swapped in, as briefbot writes), and again.
        restored = path.with_name("restored.tmp")
        restored.write_bytes(before)
        os.replace(restored, path)
    assert partial.exists(), "killed mid-write, the half-written temporary file stays"
    assert_still_served(path, before, expected)
    # Without the new briefs, the CLI answers from the old file as saved: no rebuild note.
    for brief in generated:
        brief.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config_file), "ask", "--json", "border"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["results"][0]["citation"]["paragraph"] == 4


def test_writer_that_raises_leaves_the_old_index_and_no_temp_file(served, seeds_dir, monkeypatch):
    path, before, expected = served
    (seeds_dir / "extra.txt").write_text("Extra\n\nBody about tariffs.\n", encoding="utf-8")

    def broken_dump(obj, fp, **kwargs):
        fp.write('{"format": "briefbot-index", "passages": [')
        raise RuntimeError("the writer broke")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(RuntimeError, match="the writer broke"):
        rebuild(seeds_dir, path, IndexSettings())
    monkeypatch.undo()
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.json"]
    assert_still_served(path, before, expected)


def raiser(exc):
    def raise_it(*args, **kwargs):
        raise exc

    return raise_it


class _FillingFile:
    """A file object whose disk fills up after `room` characters."""

    def __init__(self, real, room: int) -> None:
        self.real, self.room = real, room

    def write(self, text: str) -> int:
        self.room -= len(text)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real.write(text)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.real.close()


@pytest.mark.parametrize("where", ["mid-write", "fsync", "mkstemp"])
def test_full_disk_is_a_clear_error_and_keeps_the_old_index(served, seeds_dir, monkeypatch, where):
    path, before, expected = served
    (seeds_dir / "extra.txt").write_text("Extra\n\nBody about tariffs.\n", encoding="utf-8")
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if where == "mid-write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: _FillingFile(real_fdopen(*a, **k), 4096))
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", raiser(full))
    else:
        monkeypatch.setattr("tempfile.mkstemp", raiser(full))
    with pytest.raises(IndexUnwritable) as error:
        rebuild(seeds_dir, path, IndexSettings())
    monkeypatch.undo()
    assert str(error.value) == (
        f"Cannot write the index to {path} (No space left on device); "
        "the previous index file is unchanged."
    )
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.json"]
    assert_still_served(path, before, expected)


def test_no_usable_brief_refresh_keeps_the_old_index(served, seeds_dir):
    path, before, expected = served
    for brief in seeds_dir.iterdir():
        brief.write_bytes(b"")
    with pytest.raises(EmptyCorpus):
        rebuild(seeds_dir, path, IndexSettings())
    assert_still_served(path, before, expected)
    # Opening for a question keeps serving the saved index rather than failing.
    opened = open_index(seeds_dir, path, IndexSettings())
    assert opened.rebuilt_because is None
    assert answers(opened.index) == expected
    assert path.read_bytes() == before


def test_unwritable_data_folder_still_answers(seeds_dir, tmp_path, caplog):
    path = tmp_path / "data" / "index.json"
    path.mkdir(parents=True)  # a folder where the file should be: nothing can replace it
    opened = open_index(seeds_dir, path, IndexSettings())
    assert (
        opened.rebuilt_because
        == "the saved index could not be used: cannot read it (Is a directory)"
    )
    assert Searcher(opened.index).search("border", 1).hits[0].citation.paragraph == 4
    assert "Cannot write the index to" in caplog.text
    assert not list(path.parent.glob(TMP_GLOB))


# -- 3. a damaged index file is recognised ---------------------------------------------------


def _doc(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _damage(change):
    def write(path: Path) -> None:
        doc = _doc(path)
        change(doc)
        path.write_text(json.dumps(doc), encoding="utf-8")

    return write


DAMAGE = {
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:1000]), "not valid JSON"),
    "empty file": (lambda p: p.write_bytes(b""), "not valid JSON"),
    "not JSON": (lambda p: p.write_text("hello, world\n"), "not valid JSON"),
    "binary": (lambda p: p.write_bytes(bytes(range(256))), "not valid JSON"),
    "deeply nested": (lambda p: p.write_text("[" * 100_000), "not valid JSON"),
    "huge number": (lambda p: p.write_text("9" * 10_000), "not valid JSON"),
    "a pickle": (lambda p: p.write_bytes(b"\x80\x04\x95\x00"), "not valid JSON"),
    "other JSON": (lambda p: p.write_text('{"hello": "world"}'), "not a briefbot index"),
    "other format version": (_damage(lambda d: d.update(version=999)), "format version 999"),
    "other settings": (_damage(lambda d: d["settings"].update(k1=2.0)), "other settings"),
    "no passages": (_damage(lambda d: d.update(passages=[])), "damaged"),
    "a key missing": (_damage(lambda d: d.pop("briefs")), "damaged"),
    "tokens not a list": (_damage(lambda d: d["passages"][0].update(tokens=7)), "damaged"),
    "text not text": (_damage(lambda d: d["passages"][1].update(text=["x"])), "damaged"),
    "passage of no brief": (_damage(lambda d: d["passages"][2].update(brief="gone")), "damaged"),
    "brief id not text": (_damage(lambda d: d["briefs"][0].update(id={"a": 1})), "damaged"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_index_is_recognised_and_rebuilt(served, seeds_dir, damage):
    path, _, expected = served
    write, reason = DAMAGE[damage]
    write(path)
    with pytest.raises(IndexUnreadable, match=reason):
        load_index(path, IndexSettings())
    opened = open_index(seeds_dir, path, IndexSettings(), encoder())
    assert opened.rebuilt_because is not None
    assert opened.rebuilt_because.startswith("the saved index could not be used: ")
    assert answers(opened.index) == expected
    assert answers(load_index(path, IndexSettings())) == expected  # and saved again


@pytest.fixture(scope="module")
def saved_file(tmp_path_factory):
    """Where to write damaged copies of `pristine.json`, a valid index of the real seed."""
    from tests.conftest import SEEDS

    path = tmp_path_factory.mktemp("fuzz") / "index.json"
    save_index(build_index(SEEDS, IndexSettings()), path.with_name("pristine.json"))
    return path


def _json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            yield from _json_paths(item, (*prefix, i))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def _survives(path: Path) -> None:
    """Loading `path` gives IndexUnreadable or an index that searches without error."""
    try:
        index = load_index(path, IndexSettings())
    except IndexUnreadable as exc:
        assert str(exc).startswith(("it ", "cannot read it"))
        return
    for question in QUESTIONS[:2]:
        for hit in Searcher(index).search(question, 10).hits:
            assert hit.citation.label()
            assert hit.text[hit.sentence[0] : hit.sentence[1]] is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_edit_of_the_json_is_unreadable_or_usable(saved_file, data):
    path = saved_file
    raw = path.with_name("pristine.json").read_bytes()
    doc = json.loads(raw)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(list(_json_paths(doc))[1:]))
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = data.draw(JSON_VALUES)
    path.write_text(json.dumps(doc), encoding="utf-8")
    _survives(path)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, 10**9), flip=st.integers(0, 10**9), byte=st.integers(0, 255))
def test_any_truncation_or_changed_byte_is_unreadable_or_usable(saved_file, cut, flip, byte):
    path = saved_file
    raw = path.with_name("pristine.json").read_bytes()
    path.write_bytes(raw[: cut % len(raw)])
    with pytest.raises(IndexUnreadable, match="not valid JSON"):
        load_index(path, IndexSettings())
    changed = bytearray(raw)
    changed[flip % len(raw)] = byte
    path.write_bytes(bytes(changed))
    _survives(path)


def test_settings_changed_in_config_rebuilds(served, seeds_dir):
    path, _, _ = served
    other = replace(IndexSettings(), max_passage_chars=300)
    opened = open_index(seeds_dir, path, other)
    assert (
        opened.rebuilt_because
        == "the saved index could not be used: it was built with other settings"
    )
    assert len(opened.index.passages) > 8  # long paragraphs now split into parts
    assert load_index(path, other).settings == other


def test_refresh_that_hits_an_os_error_keeps_the_saved_index(served, seeds_dir, monkeypatch):
    path, before, expected = served
    (seeds_dir / "extra.txt").write_text("Extra\n\nStandfirst.\n\nBody on tariffs.\n", "utf-8")

    def vanished(seeds, settings, *args):
        raise FileNotFoundError(2, "No such file or directory", str(seeds / "extra.txt"))

    monkeypatch.setattr("index.build.build_index", vanished)  # refresh imports it when needed
    opened = open_index(seeds_dir, path, IndexSettings())
    assert opened.rebuilt_because is None
    assert answers(opened.index) == expected
    assert path.read_bytes() == before
