"""Promise 5: config errors are clear.

Every way a config file can be wrong gives one message naming the file (and the key,
when there is one); the CLI prints it as one line on stderr, exits 1, shows no
traceback, and does nothing half-configured: no index is built or written.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from bot.cli import main
from bot.config import ConfigError
from bot.config_file import load_config

# name -> (config text, what the message must say besides the file name)
CASES: dict[str, tuple[str, list[str]]] = {
    "unknown key": ("seed_dir: seeds\n", ["unknown key seed_dir in", "(known keys: "]),
    "unknown key in a section": ("search:\n  topk: 3\n", ["unknown key search.topk in"]),
    "unknown section": ("serach:\n  top_k: 3\n", ["unknown key serach in"]),
    "wrong type": (
        "search:\n  top_k: five\n",
        ["search.top_k must be an integer 1-10 (got 'five') in"],
    ),
    "out of range": ("search:\n  top_k: 0\n", ["search.top_k must be an integer 1-10 (got 0)"]),
    "boolean for a number": ("search:\n  top_k: true\n", ["search.top_k must be an integer"]),
    "float for an integer": ("search:\n  top_k: 3.0\n", ["search.top_k must be an integer"]),
    "not a number": ("index:\n  k1: .nan\n", ["index.k1 must be a number 0-10 (got nan)"]),
    "infinite": ("search:\n  min_coverage: .inf\n", ["search.min_coverage must be a number"]),
    "bad choice": ("index:\n  variant: bm26\n", ["index.variant must be one of okapi"]),
    "bad log level": ("logging:\n  level: LOUD\n", ["logging.level must be one of DEBUG"]),
    "lower-case log level": ("logging:\n  level: debug\n", ["logging.level must be one of"]),
    "section not a mapping": ("search: 5\n", ["search must be a section of keys (got 5) in"]),
    "section a list": ("index:\n  - k1\n", ["index must be a section of keys"]),
    "empty path": ('data_dir: ""\n', ["data_dir must be a folder path"]),
    "path with NUL": ('seeds_dir: "se\\0eds"\n', ["seeds_dir must be a folder path"]),
    "path not text": ("seeds_dir: [a, b]\n", ["seeds_dir must be a folder path"]),
    "not a mapping: list": ("- seeds_dir\n- data_dir\n", ["must hold a mapping of keys"]),
    "not a mapping: text": ("just some words\n", ["must hold a mapping of keys"]),
    "bad YAML": ("search: [top_k\n", ["is not valid YAML at line 2"]),
    "tab indent": ("search:\n\ttop_k: 3\n", ["is not valid YAML at line 2"]),
    "unhashable key": ("? [a, b]\n: 1\n", ["is not valid YAML"]),
}


def write(tmp_path, text: str) -> pathlib.Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_clear_line(code, out, err, must_say):
    assert (code, out) == (1, "")
    assert err.startswith("briefbot: config error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for part in must_say:
        assert part in err, (part, err)


@pytest.mark.parametrize("case", CASES)
def test_bad_config_is_one_clear_line(tmp_path, seeds_dir, capsys, case):
    text, must_say = CASES[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path.resolve()) in str(error.value) or str(path) in str(error.value)
    code = main(["--config", str(path), "ask", "border"])
    out, err = capsys.readouterr()
    assert_one_clear_line(code, out, err, [*must_say, str(path.name)])
    assert not (tmp_path / "data").exists(), "nothing may be built on a bad config"


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"
    code = main(["--config", str(path), "index"])
    assert_one_clear_line(
        code,
        *capsys.readouterr(),
        [f"config file {path} does not exist; copy config.example.yaml"],
    )


def test_missing_file_named_by_environment(tmp_path, capsys, monkeypatch):
    path = tmp_path / "from-env.yaml"
    monkeypatch.setenv("BRIEFBOT_CONFIG", str(path))
    assert_one_clear_line(main(["sources"]), *capsys.readouterr(), [str(path)])


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p.mkdir(), id="a folder"),
        pytest.param(lambda p: p.write_bytes(b"search:\n  top_k: 3 \xff\n"), id="not UTF-8"),
    ],
)
def test_unreadable_file(tmp_path, capsys, make, request):
    path = tmp_path / "config.yaml"
    make(path)
    code = main(["--config", str(path), "ask", "border"])
    why = {
        "a folder": "it is not a regular file",
        "not UTF-8": "it is not UTF-8 text at line 2; save it as UTF-8",
    }[request.node.callspec.id]
    assert_one_clear_line(code, *capsys.readouterr(), [f"cannot read config file {path} ({why})"])


def test_file_without_permission(tmp_path, capsys, monkeypatch):
    # Tests may run as root, for whom chmod 000 changes nothing: refuse the read instead.
    path = write(tmp_path, "search:\n  top_k: 3\n")
    real_open = os.open

    def denied(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, os.strerror(13), str(name))
        return real_open(name, *args, **kwargs)

    # The config is read through os.open (a regular file of bounded size, index/safe_files.py).
    monkeypatch.setattr(os, "open", denied)
    code = main(["--config", str(path), "ask", "border"])
    assert_one_clear_line(
        code, *capsys.readouterr(), [f"cannot read config file {path} (permission denied)"]
    )


def test_empty_file_means_defaults_relative_to_the_file(tmp_path, seeds_dir, capsys):
    path = write(tmp_path, "# nothing set\n")
    assert main(["--config", str(path), "ask", "border"]) == 0
    assert "1,350-kilometre border" in capsys.readouterr().out
    assert (tmp_path / "data" / "index.json").is_file()


def test_bad_config_in_a_real_process_is_one_line(tmp_path, seeds_dir):
    path = write(tmp_path, "logging:\n  level: DEBUG\nsearch:\n  top_k: many\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "index"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"briefbot: config error: search.top_k must be an integer 1-10 (got 'many') "
        f"in {path.resolve()}\n"
    )
    assert not (tmp_path / "data").exists()
