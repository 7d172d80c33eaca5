"""The CLI through hostile questions, damaged indexes and failing writes.

`briefbot ask --json` prints exactly one JSON object of the contract for any question;
a damaged index is named on stderr, rebuilt, and the question still answered; a refresh
that fails keeps the saved index; usage errors exit 2, errors exit 1 with one line on
stderr and never a traceback.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import given, settings

from bot.cli import main
from index.json_backend import FORMAT_VERSION
from index.limits import MAX_QUESTION_CHARS
from tests.conftest import SEEDS
from tests.strategies import QUESTIONS

BORDER = "How long is the border between North Korea and China?"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_quiet(*argv):
    """main() with its stdout and stderr captured, usable inside hypothesis examples."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def ask_in_a_process(config_file):
    """`python -m bot ask BORDER` as a user runs it; it must answer with the border passage."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config_file), "ask", BORDER],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0 and "1,350-kilometre border" in result.stdout
    return result


def check_contract(data, question):
    """`data` follows the --json contract, for `question`."""
    assert isinstance(data, dict)
    assert set(data) == {"question", "answered", "results", "verdict", "similarity", "about"}
    assert data["question"] == question
    assert isinstance(data["answered"], bool)
    assert isinstance(data["results"], list)
    for result in data["results"]:
        assert set(result) == {"text", "score", "citation"}
        assert isinstance(result["text"], str) and result["text"]
        assert isinstance(result["score"], float)
        citation = result["citation"]
        assert set(citation) == {"title", "locator", "paragraph", "brief", "url", "kind"}
        assert citation["kind"] in ("paragraph", "standfirst", "caption")
        assert isinstance(citation["title"], str) and isinstance(citation["locator"], str)
        assert isinstance(citation["paragraph"], int) and isinstance(citation["brief"], str)
        assert citation["url"] is None or isinstance(citation["url"], str)
    for fact in data["about"]:
        assert set(fact) == {"fact", "value", "brief", "title"}
        assert fact["fact"] in ("title", "publisher", "author", "date", "url")
    if data["about"]:  # a question about the brief itself: its metadata, no passages
        assert data["results"] == []
        assert data["answered"] is any(f["value"] is not None for f in data["about"])
    elif not data["results"]:
        assert data["answered"] is False


@pytest.fixture(scope="module")
def ready_config(tmp_path_factory):
    """A config whose index is already built, shared by the examples of a property test."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(SEEDS, root / "seeds")
    config = root / "config.yaml"
    config.write_text("seeds_dir: seeds\ndata_dir: data\n", encoding="utf-8")
    assert run_quiet("--config", str(config), "index")[0] == 0
    return config


# -- 4. any question is safe: --json always prints one object of the contract --------------


# 100 examples: each runs the whole CLI; the search alone gets 200 in test_reliability_search.
@settings(max_examples=100, deadline=None)
@given(question=QUESTIONS)
def test_ask_json_prints_one_contract_object_for_any_question(ready_config, question):
    code, out, err = run_quiet("--config", str(ready_config), "ask", "--json", "--", question)
    assert out.endswith("\n") and out.count("\n") == 1, out
    sent = question.encode("utf-8", "replace").decode("utf-8")
    check_contract(json.loads(out), sent)
    if code == 0:
        assert err == ""
    else:
        assert code == 1 and json.loads(out)["results"] == []
        assert err.startswith("briefbot: The question ") and err.count("\n") == 1


@settings(max_examples=50, deadline=None)
@given(question=QUESTIONS)
def test_ask_prints_an_answer_or_one_error_line_for_any_question(ready_config, question):
    code, out, err = run_quiet("--config", str(ready_config), "ask", "--", question)
    if code == 0:
        assert out.strip() and err == ""
    else:
        assert (code, out) == (1, "")
        assert err.startswith("briefbot: The question ") and err.count("\n") == 1


NOISE = "<@123> @everyone ```py\nborder``` \u202eChina\u200b ||Kim|| \U0001f1f0\U0001f1f5"
LONG = ("border " * 600)[: MAX_QUESTION_CHARS + 1]


@pytest.mark.parametrize(
    ("argv_bytes", "question", "code"),
    [
        # Bytes that are not UTF-8 arrive as lone surrogates; they are echoed as "?".
        (b"China \xff\xfe border", "China ?? border", 0),
        (b"\xff", "?", 1),
        (NOISE.encode(), NOISE, 0),
        (LONG.encode(), LONG, 1),
    ],
    ids=["bad-bytes-in-words", "only-bad-bytes", "discord-noise", "4001-chars"],
)
def test_ask_json_from_a_real_process_is_one_utf8_json_line(
    ready_config, argv_bytes, question, code
):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(ready_config), "ask", "--json", argv_bytes],
        capture_output=True,
        timeout=30,
        check=False,
    )
    out = result.stdout.decode("utf-8")  # strict: the output must be valid UTF-8
    assert out.count("\n") == 1
    check_contract(json.loads(out), question)
    assert result.returncode == code
    stderr = result.stderr.decode("utf-8")
    assert stderr == "" if code == 0 else stderr.startswith("briefbot: The question ")


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("\U0001f914\U0001f914", "The question has no words to search for."),
        ("?!? ... \u2014", "The question has no words to search for."),
        ("x" * (MAX_QUESTION_CHARS + 1), "The question is 4001 characters long; keep it under"),
    ],
    ids=["emoji", "punctuation", "4001-chars"],
)
def test_bad_question_is_one_line_exit_1(capsys, ready_config, question, message):
    code, out, err = run(capsys, "--config", str(ready_config), "ask", question)
    assert (code, out) == (1, "")
    assert err.startswith(f"briefbot: {message}") and err.count("\n") == 1


def test_question_of_exactly_the_limit_is_answered(capsys, ready_config):
    question = ("border " * 600)[:MAX_QUESTION_CHARS]
    code, out, _ = run(capsys, "--config", str(ready_config), "ask", "--json", question)
    assert code == 0 and json.loads(out)["results"][0]["citation"]["paragraph"] == 4


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "border", "-k", "0"],
        ["ask", "border", "-k", "99"],
        ["ask", "border", "-k", "-1"],
        ["ask", "border", "-k", "2.5"],
        ["ask", "border", "-k", ""],
        ["ask"],
        ["ask", "border", "--nope"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2(capsys, ready_config, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(ready_config), *argv])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: briefbot" in err and "Traceback" not in err


def test_briefbot_alone_shows_what_it_can_do(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: briefbot" in err
    assert "answer a question from the briefs, with citations" in err  # each command's help
    assert "error:" not in err


# -- 3. a damaged index: the reason on stderr, a rebuild, and the answer -------------------


DAMAGED = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:500]),
    "not JSON": lambda p: p.write_text("<html>not an index</html>"),
    "other version": lambda p: p.write_text(
        json.dumps({**json.loads(p.read_text()), "version": 99})
    ),
    "no passages": lambda p: p.write_text(
        json.dumps({**json.loads(p.read_text()), "passages": []})
    ),
}
REASONS = {
    "truncated": "it is not valid JSON (truncated or damaged)",
    "not JSON": "it is not valid JSON (truncated or damaged)",
    "other version": f"it has format version 99; this briefbot reads version {FORMAT_VERSION}",
    "no passages": "it is damaged (EmptyCorpus: there are no passages to index)",
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_damaged_index_is_named_on_stderr_and_the_question_answered(capsys, config_file, damage):
    assert run(capsys, "--config", str(config_file), "index")[0] == 0
    path = config_file.parent / "data" / "index.json"
    DAMAGED[damage](path)
    code, out, err = run(capsys, "--config", str(config_file), "ask", "--json", BORDER)
    assert code == 0
    assert json.loads(out)["results"][0]["citation"]["paragraph"] == 4
    assert err == (
        f"Built the index (the saved index could not be used: {REASONS[damage]}): "
        "1 brief(s), 11 passages.\n"
    )
    # Rebuilt and saved: the next question loads it silently.
    assert run(capsys, "--config", str(config_file), "ask", BORDER)[2] == ""


def test_changed_settings_rebuild_with_a_note(capsys, config_file):
    assert run(capsys, "--config", str(config_file), "index")[0] == 0
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + "index:\n  k1: 1.2\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "--config", str(config_file), "ask", BORDER)
    assert code == 0 and "1,350-kilometre border" in out
    assert "the saved index could not be used: it was built with other settings" in err


def test_damaged_index_in_a_real_process_says_so_once_and_answers(config_file):
    assert main(["--config", str(config_file), "index"]) == 0
    (config_file.parent / "data" / "index.json").write_bytes(b"\x00" * 100)
    result = ask_in_a_process(config_file)
    assert result.stderr.splitlines() == [
        "Built the index (the saved index could not be used: it is not valid JSON (truncated or "
        "damaged)): 1 brief(s), 11 passages.",
    ]


# -- 1. a failed refresh keeps the served index -----------------------------------------------


def test_index_on_a_full_disk_is_one_line_and_keeps_the_old_file(capsys, config_file, monkeypatch):
    assert run(capsys, "--config", str(config_file), "index")[0] == 0
    path = config_file.parent / "data" / "index.json"
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, out, err = run(capsys, "--config", str(config_file), "index")
    monkeypatch.undo()
    assert (code, out) == (1, "")
    assert err == (
        f"briefbot: Cannot write the index to {path} (No space left on device); "
        "the previous index file is unchanged.\n"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.json"]


def test_ask_with_unusable_seeds_keeps_answering_from_the_saved_index(
    capsys, config_file, seeds_dir
):
    assert run(capsys, "--config", str(config_file), "index")[0] == 0
    for brief in seeds_dir.iterdir():
        brief.write_bytes(b"\x00\x01")
    code, out, err = run(capsys, "--config", str(config_file), "ask", BORDER)
    assert code == 0 and "1,350-kilometre border" in out
    assert "Traceback" not in err
    # `briefbot index` says why it cannot refresh, and leaves the served file alone.
    code, out, err = run(capsys, "--config", str(config_file), "index")
    assert (code, out) == (1, "")
    assert err.startswith(f"briefbot: No usable brief in {seeds_dir} (")
    assert run(capsys, "--config", str(config_file), "ask", BORDER)[0] == 0


def test_ask_with_unusable_seeds_warns_on_stderr(config_file, seeds_dir):
    assert main(["--config", str(config_file), "index"]) == 0
    for brief in seeds_dir.iterdir():
        brief.write_bytes(b"")
    result = ask_in_a_process(config_file)
    assert result.stderr.startswith("WARNING index.refresh: The briefs changed (changed: ")
    assert "but could not be indexed: No usable brief in" in result.stderr
    assert result.stderr.rstrip().endswith(
        "Using the saved index " + str(config_file.parent / "data" / "index.json") + "."
    )


def test_ask_answers_when_the_index_cannot_be_saved(capsys, config_file):
    (config_file.parent / "data" / "index.json").mkdir(parents=True)
    code, out, err = run(capsys, "--config", str(config_file), "ask", BORDER)
    assert code == 0 and "1,350-kilometre border" in out
    assert (
        "Built the index (the saved index could not be used: cannot read it (Is a directory))"
        in err
    )


def test_a_question_starting_with_a_dash_gets_a_hint(config_file):
    code, out, err = run_quiet("--config", str(config_file), "ask", "-sanctions")
    assert code == 2 and not out
    assert 'goes after "--"' in err
    code, out, _ = run_quiet("--config", str(config_file), "ask", "--", "-sanctions")
    assert code == 0 and "international sanctions" in out
