"""index/_reads.c reads a mapped file's passages and brief records as index/mapped_tables.py
does in Python: the same passages, the same records, and on a damaged file the same
refusal in the same words (the Python path is what runs where no C compiler was found)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import zstandard
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import index.mapped_briefs as mapped_briefs
import index.mapped_tables as mapped_tables
from bench.corpus import seed_briefs
from index import IndexSettings, build_index, load_index, save_index
from index.errors import IndexUnreadable
from index.library import BriefInfo, Cited, Library
from index.mapped_arrays import cite_row
from index.mapped_check import brief_crc, passage_crc
from index.passages import passage_id
from tests.conftest import SEED_TEXT
from tests.index.test_integrity import _array

NUMPY = replace(IndexSettings(), engine="numpy")
pytestmark = pytest.mark.skipif(mapped_tables._reads is None, reason="no compiled reads")


@pytest.fixture(scope="module")
def mapped_file(tmp_path_factory) -> bytes:
    """A mapped library of six briefs made from the seed (text enough for a dictionary)."""
    seeds = tmp_path_factory.mktemp("seeds")
    seed_briefs(SEED_TEXT.read_text(encoding="utf-8"), 6, seeds)
    path = tmp_path_factory.mktemp("mapped") / "index.json"
    save_index(build_index(seeds, NUMPY), path)
    return path.read_bytes()


def opened(path: Path, compiled: bool, monkeypatch: pytest.MonkeyPatch) -> Library:
    """The file at `path` mapped (checked when read), read compiled or in Python."""
    with monkeypatch.context() as patch:
        patch.setattr("index.mapped_backend.FULL_CHECK_BYTES", 0)
        if not compiled:  # passages and briefs read in Python
            patch.setattr(mapped_tables, "_reads", None)
            patch.setattr(mapped_briefs, "_reads", None)
        library = load_index(path, NUMPY)
    assert (library.passages.compiled is not None) is compiled  # type: ignore[attr-defined]
    cites = library.passages.briefs._cites  # type: ignore[attr-defined]
    assert (cites.compiled is not None) is compiled
    return library


def everything(library: Library) -> list[object]:
    """Each passage and each brief's record as read one by one, or the refusal's words."""
    out: list[object] = []
    tables = library.passages
    for i in range(len(tables)):
        try:
            out.append(tables[i])
        except IndexUnreadable as exc:
            out.append(str(exc))
    for number in range(len(tables.briefs)):  # type: ignore[attr-defined]
        try:
            out.append(tables.briefs._read(number))  # type: ignore[attr-defined]
        except IndexUnreadable as exc:
            out.append(str(exc))
        try:  # and what its passages' citations take of it, from its own row
            out.append(tables.briefs._cites.named_cited(number))  # type: ignore[attr-defined]
        except IndexUnreadable as exc:
            out.append(str(exc))
    return out


def test_every_passage_and_brief_reads_the_same(mapped_file, tmp_path, monkeypatch):
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    compiled = everything(opened(path, True, monkeypatch))
    assert compiled == everything(opened(path, False, monkeypatch))
    assert all(not isinstance(x, str) for x in compiled) and len(compiled) > 60


DAMAGED = [
    *("text", "text_block", "text_ptr", "p_brief", "p_paragraph", "p_crc", "brief_json"),
    *("cite_rows", "cite_ptr", "cite_crc"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_damage_is_refused_in_the_same_words(data, mapped_file, tmp_path, monkeypatch):
    """A byte changed in what a read decodes, slices or checks: both paths read the same
    passages and refuse the same ones, saying the same."""
    raw = bytearray(mapped_file)
    array = _array(raw, data.draw(st.sampled_from(DAMAGED))).view(np.uint8)
    at = data.draw(st.integers(0, array.size - 1))
    array[at] = data.draw(st.integers(0, 255).filter(lambda b: b != array[at]))
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    try:
        compiled = everything(opened(path, True, monkeypatch))
    except IndexUnreadable as exc:  # refused at load: no read happens
        with pytest.raises(IndexUnreadable, match=f"^{re.escape(str(exc))}$"):
            opened(path, False, monkeypatch)
        return
    assert compiled == everything(opened(path, False, monkeypatch))


def test_a_read_decodes_its_passages_own_block_in_one_call(mapped_file, tmp_path, monkeypatch):
    """Each passage is a block of its own (format 10): a read hands inflate that block's
    frame, whole and alone (its size checked against the pointers first), once."""
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    tables = opened(path, True, monkeypatch).passages
    reader, inflate = tables.compiled, tables._reader.inflater()  # type: ignore[attr-defined]
    text, blocks = bytes(tables._text), tables._blocks  # type: ignore[attr-defined]
    decoded: list[bytes] = []

    def counted(packed: memoryview, *more: object, **limit: object) -> bytes:
        assert not more and not limit
        decoded.append(bytes(packed))
        return inflate(packed)

    ids = [len(tables) - 1, 0, 3, 3, 1]
    for i in ids:
        reader.read_cited(i, counted, tables.briefs.cite_reader)  # type: ignore[attr-defined]
    assert decoded == [text[blocks[i] : blocks[i + 1]] for i in ids]


def test_a_reader_takes_only_arrays_that_fit(mapped_file, tmp_path, monkeypatch):
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    library = opened(path, True, monkeypatch)
    briefs = library.passages.briefs  # type: ignore[attr-defined]
    reads = mapped_tables._reads
    assert reads is not None
    ids = np.ascontiguousarray(briefs._ids)
    records = briefs._records
    json, ptr, crc = records._blob, records._ptr, records._crc
    with pytest.raises(ValueError, match="do not fit"):
        reads.BriefReader(json, ptr, crc, ids[:-1])
    with pytest.raises(ValueError, match="items of 8 bytes, not 4"):
        reads.BriefReader(json, ptr, ptr, ids)
    # Made without its __init__, or after one that failed: refused, not read from nothing.
    with pytest.raises(TypeError, match="not made"):
        reads.BriefReader.__new__(reads.BriefReader).read(0)
    # The reads take an index (and the passages' an inflate function and the citation
    # rows' reader), nothing else.
    made = briefs._cites.compiled
    for bad in ("0", 0.5, None):
        with pytest.raises(TypeError):
            made.read(bad)
        with pytest.raises(TypeError):
            made.cited(bad)
    with pytest.raises(IndexError):
        made.cited(2**70)
    passages = library.passages.compiled  # type: ignore[attr-defined]
    inflate = library.passages._reader.inflater()  # type: ignore[attr-defined]
    cites = briefs.cite_reader
    with pytest.raises(TypeError):
        passages.read_cited("0", inflate, cites)
    for args in [(0, inflate), (0, inflate, records.compiled, 1), (0, inflate, "rows")]:
        with pytest.raises(TypeError, match="citation rows' reader"):
            passages.read_cited(*args)
    with pytest.raises(TypeError, match="not made"):
        reads.PassageReader.__new__(reads.PassageReader).read_cited(0, inflate, cites)
    with pytest.raises(TypeError, match="not made"):
        passages.read_cited(0, inflate, reads.BriefReader.__new__(reads.BriefReader))
    assert passages.read_cited(0, inflate, cites)[6] == library.passages[0].text
    half = reads.BriefReader.__new__(reads.BriefReader)
    with pytest.raises(ValueError, match="do not fit"):
        half.__init__(json, ptr, crc, ids[:-1])
    with pytest.raises(TypeError, match="not made"):
        half.read(0)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_record_naming_another_brief_is_refused(compiled, mapped_file, tmp_path, monkeypatch):
    """A brief's record is checked with its id: one that names another brief (a crafted
    file, its checksum made to match) is refused when the brief is read. Its passages and
    their citations read their brief's citation row, checked with the same id, and no
    record: they stand."""
    raw = bytearray(mapped_file)
    records, ptr = _array(raw, "brief_json"), _array(raw, "brief_ptr")
    ids, crcs = _array(raw, "brief_ids"), _array(raw, "brief_crc")
    record = records[ptr[2] : ptr[3]]
    text = record.tobytes()
    assert b'"brief-00002"' in text
    record[:] = np.frombuffer(text.replace(b"brief-00002", b"brief-00004", 1), np.uint8)
    crcs[2] = brief_crc(ids[2].tobytes().rstrip(b"\0"), record.tobytes())
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    library = opened(path, compiled, monkeypatch)
    with pytest.raises(IndexUnreadable, match="brief 'brief-00002' holds the record of another"):
        library.briefs["brief-00002"]
    first = library.passages[library.passages.of_brief("brief-00002")[0]]  # type: ignore[attr-defined]
    assert first.brief == "brief-00002"
    assert library.citation(first).brief == "brief-00002"
    assert library.briefs["brief-00001"].id == "brief-00001"  # the others still read


def _rows_of(size: int) -> list[bytes]:
    """Citation rows of `size` bytes that are not one (index/mapped_arrays.py cite_row)."""
    assert size > 24
    n = size - 1 - 4 - 2 - 8  # a title of n bytes, no url, no publisher, a count
    return [
        b"\0" * size,  # no title
        b"\2" + b"\0" * (size - 1),  # a tag that is neither
        b"\1" + (size * 2).to_bytes(4, "little") + b"\0" * (size - 5),  # past the row
        b"\1" + n.to_bytes(4, "little") + b"\xff" * n + b"\0\0" + bytes(8),  # not UTF-8
        b"\1" + (n - 1).to_bytes(4, "little") + b"T" * (n - 1) + b"\0\0" + bytes(9),  # a byte over
        b"\1" + (n + 1).to_bytes(4, "little") + b"T" * (n + 1) + b"\0\0" + bytes(7),  # a byte short
        b"\1" + (n - 1).to_bytes(4, "little") + b"T" * (n - 1) + b"\0\3" + bytes(9),  # a bad tag
    ]


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("which", range(7))
def test_a_citation_row_that_is_not_one_is_refused(
    which, compiled, mapped_file, tmp_path, monkeypatch
):
    """A brief's citation row is its title, url and publisher (each absent or a UTF-8 text
    of a stated length; the title never absent) and its paragraph count: any other (a
    crafted file, its checksum made to match) is refused when a passage of it is cited,
    saying which brief, and the other briefs still cite."""
    raw = bytearray(mapped_file)
    rows, ptr = _array(raw, "cite_rows"), _array(raw, "cite_ptr")
    ids, crcs = _array(raw, "brief_ids"), _array(raw, "cite_crc")
    row = _rows_of(int(ptr[3] - ptr[2]))[which]
    rows[ptr[2] : ptr[3]] = np.frombuffer(row, np.uint8)
    crcs[2] = brief_crc(ids[2].tobytes().rstrip(b"\0"), row)
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    library = opened(path, compiled, monkeypatch)
    passage = library.passages[library.passages.of_brief("brief-00002")[0]]  # type: ignore[attr-defined]
    with pytest.raises(IndexUnreadable, match="brief 'brief-00002': its citation is not one"):
        library.citation(passage)
    other = library.passages[library.passages.of_brief("brief-00001")[0]]  # type: ignore[attr-defined]
    assert library.citation(other).title == library.briefs["brief-00001"].title


@settings(max_examples=400, deadline=None)
@example(b"\0\0\0" + bytes(8), None)  # no title: not one, though the rest fits
@example(b"\1\0\0\0\0\0\0" + bytes(8), None)  # an empty title: one
@given(
    st.one_of(
        st.binary(max_size=40),
        st.builds(
            lambda title, url, publisher, count: cite_row(
                BriefInfo("b", title, "", publisher, url, None, None, "b.txt", count)
            ),
            st.text(max_size=8),
            st.none() | st.text(max_size=8),
            st.none() | st.text(max_size=8),
            st.integers(-(1 << 63), (1 << 63) - 1),
        ),
    ),
    st.data(),
)
def test_a_row_reads_alike_compiled_and_in_python(row, data):
    """Any row, a brief's or a random or cut one, its checksum matching: the compiled
    reader and the Python one give the same fields or the same refusal."""
    if row and data is not None and data.draw(st.booleans()):
        row = row[: data.draw(st.integers(0, len(row)))]  # cut short
    ids = np.array([b"b-1"])
    crc = np.array([brief_crc(b"b-1", row)], dtype=np.uint32)
    blob, ptr = np.frombuffer(row, np.uint8), np.array([0, len(row)])
    in_c, in_python = (mapped_briefs._Records(blob, ptr, crc, ids) for _ in range(2))
    in_python.compiled = None
    assert in_c.compiled is not None

    def outcome(records: mapped_briefs._Records) -> object:
        try:
            return records.named_cited(0)
        except IndexUnreadable as exc:
            return str(exc)

    compiled = outcome(in_c)
    assert compiled == outcome(in_python)
    assert isinstance(compiled, tuple) or "brief 'b-1': its citation is not one" in compiled


def test_citations_read_from_their_rows_are_those_of_the_records(
    mapped_file, tmp_path, monkeypatch
):
    """Each brief's citation row holds its record's title, url, publisher and paragraph
    count: citing from the rows, compiled or in Python, gives the citations the records
    give."""
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    for compiled in (True, False):
        library = opened(path, compiled, monkeypatch)
        assert library.cited is not None
        for brief in library.briefs:
            assert library.cited(brief) == Cited.of(library.briefs[brief])
        with pytest.raises(KeyError):
            library.cited("no-such-brief")


@pytest.mark.parametrize("compiled", [True, False])
def test_a_passage_read_keeps_its_briefs_citation_for_its_hit(
    compiled, mapped_file, tmp_path, monkeypatch
):
    """A passage read reads its brief's citation row for the id: the passage's citation
    then reads no row again, is the one the brief's record gives, and only the last
    _CACHED_CITED briefs' are kept."""
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    library = opened(path, compiled, monkeypatch)
    passages, briefs = library.passages, library.passages.briefs  # type: ignore[attr-defined]
    reads: list[int] = []
    named_cited = briefs._cites.named_cited
    monkeypatch.setattr(briefs._cites, "named_cited", lambda n: reads.append(n) or named_cited(n))
    passage = passages[passages.of_brief("brief-00002")[1]]
    assert list(briefs._cited) == ["brief-00002"]  # its row read with it (compiled: one call)
    reads.clear()
    citation = library.citation(passage)
    assert reads == []
    assert citation.title == library.briefs["brief-00002"].title
    assert citation.paragraph == passage.paragraph
    monkeypatch.setattr(mapped_briefs, "_CACHED_CITED", 2)
    for brief in ("brief-00000", "brief-00001", "brief-00003"):
        passages[passages.of_brief(brief)[0]]
        assert len(briefs._cited) <= 2
    reads.clear()
    library.citation(passage)  # forgotten: read again
    assert len(reads) == 1


@pytest.mark.parametrize(
    ("paragraph", "part"), [(4, 0), (4, 2), (0, 0), (-4, 0), (-4, 2), (-(2**31), 2**31 - 1)]
)
def test_a_compiled_read_names_its_passage_as_passage_id_does(
    paragraph, part, mapped_file, tmp_path, monkeypatch
):
    """read_cited makes a passage's id in C: the one index/passages.py passage_id makes, for
    body paragraphs, parts, the standfirst and captions (a crafted file's extremes too)."""
    raw = bytearray(mapped_file)
    _array(raw, "p_paragraph")[0], _array(raw, "p_part")[0] = paragraph, part
    crcs = _array(raw, "p_crc")
    passages = opened_raw(raw, tmp_path, monkeypatch).passages
    crcs[0] = passage_crc_of(passages, 0)
    passages = opened_raw(raw, tmp_path, monkeypatch).passages
    read = passages.compiled.read_cited(  # type: ignore[attr-defined]
        0,
        passages._reader.inflater(),
        passages.briefs.cite_reader,  # type: ignore[attr-defined]
    )
    assert read[0] == passage_id(read[1], paragraph, part)
    assert (read[2], read[3]) == (paragraph, part)


def opened_raw(raw: bytearray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    path = tmp_path / "index.json"
    path.write_bytes(raw)
    return opened(path, True, monkeypatch)


def passage_crc_of(passages: object, i: int) -> int:
    """Passage i's checksum as its current fields give it (a crafted file's, made to match)."""
    fields = [int(passages.arrays[k][i]) for k in mapped_tables._FIELDS]  # type: ignore[attr-defined]
    text = passages._reader.decompress(  # type: ignore[attr-defined]
        passages._text[passages._blocks[i] : passages._blocks[i + 1]],  # type: ignore[attr-defined]
        passages._ptr[i + 1] - passages._ptr[i],  # type: ignore[attr-defined]
    )
    return passage_crc(text, *fields)


def test_a_file_whose_frames_declare_no_size_is_refused_in_the_same_words(tmp_path, monkeypatch):
    """A frame declaring no size (earlier formats wrote them; format 10 on, none) is not
    decoded: its passages are refused as damaged, compiled and in Python alike."""
    seeds = tmp_path / "seeds"
    seed_briefs(SEED_TEXT.read_text(encoding="utf-8"), 2, seeds)
    unsized = tmp_path / "unsized.json"
    with monkeypatch.context() as patch:
        compressor = zstandard.ZstdCompressor
        patch.setattr(
            "index.text_blocks.zstandard.ZstdCompressor",
            lambda **kw: compressor(**{**kw, "write_content_size": False}),
        )
        save_index(build_index(seeds, NUMPY), unsized)
    raw = bytearray(unsized.read_bytes())
    text, blocks = _array(raw, "text"), _array(raw, "text_block").tolist()
    assert all(
        zstandard.frame_content_size(text[lo:hi].tobytes()) == -1
        for lo, hi in itertools.pairwise(blocks)
    )
    compiled = everything(opened(unsized, True, monkeypatch))
    assert compiled == everything(opened(unsized, False, monkeypatch))
    refused = [x for x in compiled if isinstance(x, str)]
    assert len(refused) == len(blocks) - 1
    assert all(re.search(r"text block \d+: its frame declares another size", x) for x in refused)


def test_touch_reads_only_inside_its_arrays_and_changes_no_read(mapped_file, tmp_path, monkeypatch):
    """touch is a hint: on wild pointers and brief numbers (a damaged file) and on any ids
    it reads nothing outside its arrays (else this process would crash) and raises nothing,
    and what the reads give after it is what they gave before."""
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    library = opened(path, True, monkeypatch)
    tables = library.passages
    reads = mapped_tables._reads
    assert reads is not None
    reader, inflate = tables.compiled, tables._reader.inflater()  # type: ignore[attr-defined]
    cites = tables.briefs.cite_reader  # type: ignore[attr-defined]
    n = len(tables)
    before = [reader.read_cited(i, inflate, cites) for i in range(n)]
    ids = [n - 1, 0, n, -1, 2**70, -(2**70), "1", None, 1.5, True, *range(n)]
    assert reader.touch(ids, cites) is None
    assert reader.touch(tuple(range(n)), reads.BriefReader.__new__(reads.BriefReader)) is None
    assert reads.PassageReader.__new__(reads.PassageReader).touch([0], cites) is None
    assert [reader.read_cited(i, inflate, cites) for i in range(n)] == before
    # Wild frame pointers and brief numbers, and wild row pointers in the briefs' reader.
    blocks = np.array(tables._blocks, dtype=np.int64)  # type: ignore[attr-defined]
    blocks[1::2] = 2**62
    blocks[2::3] = -(2**40)
    blocks[-2] = 2**63 - 5  # a frame's lines counted from here would overflow
    fields = [np.array(f) for f in tables._fields]  # type: ignore[attr-defined]
    fields[0][:] = np.resize(np.array([2**31 - 1, -(2**31), 7, -1], dtype=np.int32), n)
    wild = reads.PassageReader(
        tables._text,  # type: ignore[attr-defined]
        blocks,
        tables._ptr,  # type: ignore[attr-defined]
        *fields,
        tables._crc,  # type: ignore[attr-defined]
        mapped_tables.FRAME_SIZE,
        mapped_tables.DecodeError,
    )
    rows = tables.briefs._cites  # type: ignore[attr-defined]
    row_ptr = np.array(rows._ptr, dtype=np.int64)
    row_ptr[::2] = 2**62
    row_ptr[1::2] = -(2**40)
    wild_cites = reads.BriefReader(rows._blob, row_ptr, rows._crc, np.ascontiguousarray(rows._ids))
    assert wild.touch(list(range(n)), wild_cites) is None
    assert wild.touch(list(range(n)), cites) is None
    assert reader.touch(list(range(n)), wild_cites) is None


def test_touch_takes_ids_and_the_citation_rows_reader(mapped_file, tmp_path, monkeypatch):
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    tables = opened(path, True, monkeypatch).passages
    reader, cites = tables.compiled, tables.briefs.cite_reader  # type: ignore[attr-defined]
    for args in [(5, cites), ([0],), ([0], cites, 1), ([0], "rows")]:
        with pytest.raises(TypeError, match="touch takes"):
            reader.touch(*args)


class _Logged:
    """A compiled passage reader whose touches and reads are logged, in order."""

    def __init__(self, reader: object, log: list[tuple[str, object]]) -> None:
        self._reader, self._log = reader, log

    def touch(self, ids: object, cites: object) -> None:
        self._log.append(("touch", list(ids)))  # type: ignore[call-overload]
        self._reader.touch(ids, cites)  # type: ignore[attr-defined]

    def read_cited(self, i: int, inflate: object, cites: object) -> object:
        self._log.append(("read", i))
        return self._reader.read_cited(i, inflate, cites)  # type: ignore[attr-defined]


def test_many_touches_the_passages_it_will_read_before_reading_them(
    mapped_file, tmp_path, monkeypatch
):
    """A search's read of its passages (many) touches them all first, so that their misses
    overlap; when every one was kept, it reads and touches nothing."""
    path = tmp_path / "index.json"
    path.write_bytes(mapped_file)
    tables = opened(path, True, monkeypatch).passages
    log: list[tuple[str, object]] = []
    monkeypatch.setattr(tables, "compiled", _Logged(tables.compiled, log))
    ids = [3, 0, len(tables) - 1]
    first = tables.many(ids)
    assert log == [("touch", ids), ("read", 3), ("read", 0), ("read", len(tables) - 1)]
    log.clear()
    assert tables.many(ids) == first
    assert log == []
