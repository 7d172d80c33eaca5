"""The arrays a mapped index file holds for its briefs and passages, made from briefs and
passages in memory: what index/mapped_briefs.py's BriefTable and mapped_tables.py's
PassageTable read."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from index.library import BriefInfo
from index.mapped_check import brief_crcs, passage_crcs
from index.passages import Passage
from index.postings_build import Array
from index.text_blocks import compress_blocks


def brief_arrays(
    briefs: Mapping[str, BriefInfo], terms_of: Callable[[str], list[str]]
) -> dict[str, Array]:
    """The arrays of BriefTable for a mapping of briefs (kept in its order), and of
    ContextTable: for each term `terms_of` finds in a title or standfirst, its briefs."""
    # vars(), not asdict(): the fields are plain values, and asdict's deep copy of each was
    # 3 s of a million-passage build (profiled).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    records = [encode(vars(b)).encode("utf-8") for b in briefs.values()]
    ids = [b.encode("utf-8") for b in briefs]
    width = f"S{max(map(len, ids), default=1)}"
    order = sorted(range(len(ids)), key=ids.__getitem__)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    arrays: dict[str, Array] = {
        "brief_json": np.frombuffer(b"".join(records), dtype=np.uint8),
        "brief_ptr": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        "brief_ids": np.array(ids, dtype=width),
        "brief_sorted": np.array([ids[i] for i in order], dtype=width),
        "brief_pos": np.array(order, dtype=np.int64),
    }
    arrays["brief_crc"] = brief_crcs(arrays)
    # Each brief's citation fields apart from its record (cite_row): a search cites ten
    # passages, and a record read whole for them was a tenth of it (a first read parsed 9
    # fields of JSON into a BriefInfo, kept; this reads 4 in C).
    rows = [cite_row(b) for b in briefs.values()]
    sizes = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    arrays["cite_rows"] = np.frombuffer(b"".join(rows), dtype=np.uint8)
    arrays["cite_ptr"] = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    arrays["cite_crc"] = brief_crcs(arrays, "cite_rows", "cite_ptr")
    arrays.update(context_arrays([terms_of(f"{b.title}\n{b.standfirst}") for b in briefs.values()]))
    return arrays


def cite_row(brief: BriefInfo) -> bytes:
    """A brief's citation fields as the file keeps them: its title, url and publisher, each
    a 0 byte for none or a 1 byte, a 4-byte little-endian length and its UTF-8, then its
    paragraph count, 8 bytes little-endian (index/mapped_briefs.py cited_fields reads it,
    and index/_reads.c)."""
    out = bytearray()
    for text in (brief.title, brief.url, brief.publisher):
        if text is None:
            out += b"\0"
        else:
            data = text.encode("utf-8")
            out += b"\1" + len(data).to_bytes(4, "little") + data
    return bytes(out + brief.paragraphs.to_bytes(8, "little", signed=True))


def context_arrays(contexts: Sequence[list[str]]) -> dict[str, Array]:
    """Postings of the briefs' contexts (`contexts`: each brief's terms, in file order):
    ctx_terms sorted bytewise, and term t's briefs ctx_brief[ctx_ptr[t]:ctx_ptr[t + 1]],
    ascending."""
    # Flat (term, brief) pairs sorted by numpy, not a list a term: 100,000 lists that live
    # through the build made the garbage collector walk a million passages again and again
    # (brief_arrays 0.46 -> 0.69 s at 10^6 passages, where a profile saw no difference).
    words: list[bytes] = []
    brief_of: list[int] = []  # ints are not tracked by the collector
    for number, terms in enumerate(contexts):
        for term in dict.fromkeys(terms):  # each brief's terms once
            words.append(term.encode("utf-8"))
            brief_of.append(number)
    numbers = np.array(brief_of, dtype=np.int32)
    pairs = np.array(words, dtype=f"S{max(map(len, words), default=1)}")
    order = np.argsort(pairs, kind="stable")  # stable: each term's briefs stay ascending
    keys, starts = np.unique(pairs[order], return_index=True)
    return {
        "ctx_terms": keys,
        "ctx_ptr": np.append(starts, len(words)).astype(np.int64),
        "ctx_brief": numbers[order],
    }


def passage_arrays(passages: Sequence[Passage], brief_ids: Sequence[str]) -> dict[str, Array]:
    """The arrays of PassageTable for a list of passages."""
    numbers = {b: i for i, b in enumerate(brief_ids)}
    blobs = [p.text.encode("utf-8") for p in passages]
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    blob = b"".join(blobs)
    ptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    text, blocks, dictionary = compress_blocks(blob, ptr)
    arrays: dict[str, Array] = {
        "text_ptr": ptr,
        "text": text,
        "text_block": blocks,
        "text_dict": dictionary,
        "p_brief": np.fromiter((numbers[p.brief] for p in passages), np.int32, len(passages)),
        "p_paragraph": np.fromiter((p.paragraph for p in passages), np.int32, len(passages)),
        "p_part": np.fromiter((p.part for p in passages), np.int32, len(passages)),
        "p_start": np.fromiter((p.start for p in passages), np.int64, len(passages)),
        "p_end": np.fromiter((p.end for p in passages), np.int64, len(passages)),
        "p_page": np.fromiter((p.page for p in passages), np.int32, len(passages)),
    }
    arrays["p_crc"] = passage_crcs(arrays, blob)
    return arrays
