"""YAML from others: every crash, hang and blow-up becomes YamlRefused, with where."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import IndexSettings, build_index
from index.aliases import read_aliases
from index.brief import read_metadata
from index.errors import UnreadableBrief
from index.safe_yaml import ALIAS_BUDGET, MAX_DEPTH, YamlRefused, echo, load_yaml

LIMIT = 64 * 1024


def _bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# text -> (start of the reason, line) ; each of these crashed or hung yaml.safe_load's callers
REFUSED = {
    "long int": ("title: 1" + "0" * 5000 + "\n", "a value cannot be read", 1),
    "nested brackets": ("[" * 60_000, f"it nests deeper than {MAX_DEPTH}", 1),
    "nested mappings": ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 200)), "it nests", 64),
    "bad date": ("title: x\ndate: 2023-02-30\n", "a value cannot be read", 2),
    "alias bomb": (_bomb(), f"aliases expand to over {ALIAS_BUDGET}", 4),
    "recursive alias": ("a: &a [1, *a]\n", "an alias refers to a node that contains it", 1),
    "python tag": ("!!python/object/apply:os.system [ls]\n", "could not determine", 1),
    "syntax": ("title: [unclosed\n", "expected ',' or ']'", 2),
    "control char": ("title: a\x07b\n", "it holds a character YAML does not allow", 1),
}


def _write(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_yaml_is_refused_with_line_and_column(tmp_path, case):
    text, reason, line = REFUSED[case]
    with pytest.raises(YamlRefused) as caught:
        load_yaml(_write(tmp_path, text), max_bytes=1 << 20)
    assert caught.value.reason.startswith(reason), caught.value.reason
    assert caught.value.line == line
    assert caught.value.column is not None and caught.value.column >= 1
    assert caught.value.path.name == "x.yaml"


def test_ordinary_yaml_with_a_merge_key_still_loads(tmp_path):
    text = "base: &base {a: 1, b: [x, y]}\nother:\n  <<: *base\n  c: 2023-08-15\n"
    data = load_yaml(_write(tmp_path, text), max_bytes=LIMIT)
    assert data["other"]["a"] == 1 and data["other"]["b"] == ["x", "y"]
    assert str(data["other"]["c"]) == "2023-08-15"


def test_not_utf8_says_where(tmp_path):
    with pytest.raises(YamlRefused, match="not UTF-8") as caught:
        load_yaml(_write(tmp_path, b"title: ok\nurl: caf\xe9\n"), max_bytes=LIMIT)
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_only_regular_files_of_bounded_size_are_read(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # with no writer: a blocking open would hang forever
    for path in (Path("/dev/zero"), tmp_path, fifo):
        with pytest.raises(YamlRefused, match="not a regular file"):
            load_yaml(path, max_bytes=LIMIT)
    with pytest.raises(YamlRefused, match="over the 10 limit"):
        load_yaml(_write(tmp_path, "title: eleven chars\n"), max_bytes=10)
    with pytest.raises(YamlRefused, match="cannot read it"):
        load_yaml(tmp_path / "missing.yaml", max_bytes=LIMIT)


YAMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[",
                "]",
                "{",
                "}",
                ": ",
                ", ",
                "- ",
                "\n",
                "  ",
                "&a ",
                "*a",
                "&b ",
                "*b",
                "<<: ",
                "!!int ",
                "!!float ",
                "!!binary ",
                "!!python/name:os.system",
                "? ",
                "|",
                ">",
                "'",
                '"',
                "#",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "0x",
                "0o",
                "1e999",
                "1" + "0" * 4400,
                "2023-02-30",
                "1:20:30",
                ".inf",
                "~",
                "\t",
                "\x07",
                "\ufeff",
            ]
        ),
        st.text(max_size=8),
    ),
    max_size=60,
).map("".join)


@settings(
    max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=YAMLISH)
def test_yamlish_text_loads_or_is_refused(tmp_path, text):
    path = _write(tmp_path, text.encode("utf-8", "surrogatepass"))
    try:
        load_yaml(path, max_bytes=LIMIT)
    except YamlRefused as exc:
        assert exc.reason
        assert exc.line is None or exc.line >= 1


@settings(
    max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_random_bytes_load_or_are_refused(tmp_path, raw):
    path = _write(tmp_path, raw)
    with contextlib.suppress(YamlRefused):
        load_yaml(path, max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10**5000, "<int of about 5001 digits>"),
        ("x" * 1000, None),
        ([[[[["deep"]]]]], "[[[[...]]]]"),
        ({"k": list(range(100))}, None),
    ],
    ids=["huge-int", "long-str", "deep", "wide"],
)
def test_echo_is_short_and_never_expands(value, expected):
    text = echo(value, 40)
    assert len(text) <= 40
    if expected:
        assert text == expected


def test_echo_of_an_alias_bomb_is_short(tmp_path):
    # What yaml.safe_load returns for a (smaller) bomb, echoed without walking it all.
    inner: list[object] = ["lol"] * 9
    for _ in range(30):
        inner = [inner] * 9
    assert len(echo(inner)) <= 80

    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert echo(Broken()).startswith("<")


@pytest.mark.parametrize("case", ["long int", "nested brackets", "alias bomb", "bad date"])
def test_bad_metadata_skips_only_the_metadata(seeds_dir, case):
    (seeds_dir / "extra.txt").write_text(
        "Extra brief\n\nA paragraph about tariffs on grain.\n\nAnother about ports.\n",
        encoding="utf-8",
    )
    (seeds_dir / "extra.yaml").write_text(REFUSED[case][0], encoding="utf-8")
    with pytest.raises(UnreadableBrief, match=r"it is not valid YAML \(line \d+, column \d+: "):
        read_metadata(seeds_dir / "extra.yaml")
    index = build_index(seeds_dir, IndexSettings())
    assert index.briefs["extra"].title == "Extra brief"
    reasons = {s.file: s.reason for s in index.skipped}
    assert reasons["extra.yaml"].endswith("indexed the brief without it")


def test_broken_aliases_say_line_and_column(tmp_path):
    path = _write(
        tmp_path, "- [North Korea, DPRK]\n- [China, PRC\n- [USSR, Soviet]\n", "aliases.yaml"
    )
    with pytest.raises(UnreadableBrief, match=r"line \d+, column \d+: expected ',' or ']'"):
        read_aliases(path)
    path.write_text(_bomb(), encoding="utf-8")
    with pytest.raises(UnreadableBrief, match="aliases expand to over"):
        read_aliases(path)
